from boktor.cli import main

main()
