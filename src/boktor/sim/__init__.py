"""A local stand-in for LINE's Messaging API, LIFF token verification and members' phones."""
