// What every page of Stint's that uses a passkey shares: base64url for the binary WebAuthn values,
// the assertion as the broker reads it, and a POST that carries the page's CSRF token. Served as a
// file (the Content-Security-Policy allows no inline script); loaded before the page's own script.
'use strict';

window.StintPasskeys = (function () {
  function fromBase64url(text) {
    const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
    const binary = atob(base64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes;
  }

  function toBase64url(buffer) {
    const bytes = new Uint8Array(buffer);
    let binary = '';
    for (let i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  // The request options of navigator.credentials.get, from the broker's JSON.
  function requestOptions(key) {
    return {
      challenge: fromBase64url(key.challenge),
      rpId: key.rpId,
      userVerification: key.userVerification,
      timeout: key.timeout,
      allowCredentials: (key.allowCredentials || []).map((c) => ({ type: c.type, id: fromBase64url(c.id) }))
    };
  }

  // An assertion (navigator.credentials.get) as the broker reads it.
  function assertionAnswer(assertion) {
    const response = assertion.response;
    return {
      id: toBase64url(assertion.rawId),
      client_data_json: toBase64url(response.clientDataJSON),
      authenticator_data: toBase64url(response.authenticatorData),
      signature: toBase64url(response.signature),
      user_handle: response.userHandle ? toBase64url(response.userHandle) : null
    };
  }

  // POSTs JSON with the page's CSRF token; a refusal throws its problem's detail (and type).
  async function post(path, body) {
    const csrf = document.querySelector('meta[name="csrf-token"]').content;
    const response = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body)
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      const failure = new Error(answer.detail || 'the broker answered ' + response.status);
      failure.type = answer.type;
      throw failure;
    }
    return answer;
  }

  return Object.freeze({ fromBase64url, toBase64url, requestOptions, assertionAnswer, post });
})();
