/* Boktor's stand-in for LINE's LIFF SDK in demo mode and tests: nothing is fetched from LINE.
   The ID token comes from the page address (#id_token=...), issued by the LINE simulator
   (POST /_sim/users/{userId}/id-token); the server verifies it at the simulator as it would at LINE. */
(function () {
  "use strict";
  var KEY = "boktor-liff-demo-token";
  var token = null;
  var match = /(?:^#|&)id_token=([^&]+)/.exec(location.hash);
  if (match) {
    token = decodeURIComponent(match[1]);
    try { sessionStorage.setItem(KEY, token); } catch (e) { /* private mode */ }
    history.replaceState(null, "", location.pathname + location.search);
  } else {
    try { token = sessionStorage.getItem(KEY); } catch (e) { token = null; }
  }
  window.liff = {
    demo: true,
    init: function () { return Promise.resolve(); },
    isInClient: function () { return false; },
    isLoggedIn: function () { return !!token; },
    login: function () { /* a real LIFF app would send the member to LINE Login here */ },
    getIDToken: function () { return token; },
    closeWindow: function () { /* only LINE's in-app browser can close the page */ }
  };
})();
