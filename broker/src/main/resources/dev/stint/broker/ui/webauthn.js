// Stint's people pages: registering a passkey from an enrollment link, and signing in with it.
// Served as a file (the Content-Security-Policy allows no inline script). Binary WebAuthn values
// travel as base64url; every request carries the page's CSRF token.
'use strict';

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const status = document.getElementById('status');

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

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

  async function post(path, body) {
    const response = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body)
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(answer.detail || 'the broker answered ' + response.status);
    }
    return answer;
  }

  function creationOptions(options) {
    const key = options.public_key;
    return {
      challenge: fromBase64url(key.challenge),
      rp: key.rp,
      user: { id: fromBase64url(key.user.id), name: key.user.name, displayName: key.user.displayName },
      pubKeyCredParams: key.pubKeyCredParams,
      authenticatorSelection: key.authenticatorSelection,
      attestation: key.attestation,
      timeout: key.timeout,
      excludeCredentials: key.excludeCredentials.map((c) => ({ type: c.type, id: fromBase64url(c.id) }))
    };
  }

  async function setUpEnrollment(button) {
    const who = document.getElementById('who');
    const done = document.getElementById('done');
    const token = location.hash.slice(1);
    // The secret leaves the address bar (and the history) at once.
    history.replaceState(null, '', location.pathname);
    if (!token) {
      who.textContent = 'Open the enrollment link you were sent, whole.';
      return;
    }
    let options;
    async function fetchOptions() {
      options = await post('/ui/enroll/options', { token: token });
      const person = options.person;
      who.textContent = 'Registering a passkey for ' + (person.name || person.email) + ' (' + person.email + ').';
      button.disabled = false;
    }
    try {
      await fetchOptions();
    } catch (e) {
      who.textContent = 'This enrollment link does not work: ' + e.message;
      return;
    }
    button.addEventListener('click', async () => {
      button.disabled = true;
      say('Follow your browser\u2019s prompt to create the passkey\u2026');
      try {
        const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
        const response = credential.response;
        await post('/ui/enroll/finish', {
          token: token,
          ceremony_id: options.ceremony_id,
          credential: {
            id: toBase64url(credential.rawId),
            client_data_json: toBase64url(response.clientDataJSON),
            attestation_object: toBase64url(response.attestationObject),
            transports: response.getTransports ? response.getTransports() : []
          }
        });
        say('');
        done.hidden = false;
      } catch (e) {
        say('No passkey was registered: ' + e.message);
        try {
          await fetchOptions();   // an attempt is spent once answered: start a new one
        } catch (again) {
          who.textContent = 'This enrollment link does not work: ' + again.message;
        }
      }
    });
  }

  function setUpSignIn(button) {
    button.addEventListener('click', async () => {
      button.disabled = true;
      say('Follow your browser\u2019s prompt to use your passkey\u2026');
      try {
        const options = await post('/ui/sign-in/options', {});
        const key = options.public_key;
        const assertion = await navigator.credentials.get({
          publicKey: {
            challenge: fromBase64url(key.challenge),
            rpId: key.rpId,
            userVerification: key.userVerification,
            timeout: key.timeout,
            allowCredentials: []
          }
        });
        const response = assertion.response;
        const answer = await post('/ui/sign-in/finish', {
          ceremony_id: options.ceremony_id,
          credential: {
            id: toBase64url(assertion.rawId),
            client_data_json: toBase64url(response.clientDataJSON),
            authenticator_data: toBase64url(response.authenticatorData),
            signature: toBase64url(response.signature),
            user_handle: response.userHandle ? toBase64url(response.userHandle) : null
          }
        });
        // Back to the page that asked for a sign-in, only ever one of these pages.
        const next = button.dataset.next;
        location.assign(next && next.startsWith('/ui/') && !next.startsWith('/ui//') ? next : answer.location);
      } catch (e) {
        say('Not signed in: ' + e.message);
        button.disabled = false;
      }
    });
  }

  const enroll = document.getElementById('enroll');
  const signIn = document.getElementById('sign-in');
  if (enroll) {
    setUpEnrollment(enroll);
  }
  if (signIn) {
    setUpSignIn(signIn);
  }
})();
