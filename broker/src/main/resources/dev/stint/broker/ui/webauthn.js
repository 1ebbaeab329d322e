// Stint's people pages: registering a passkey from an enrollment link, and signing in with it.
// Served as a file (the Content-Security-Policy allows no inline script), after passkeys.js,
// whose helpers it uses.
'use strict';

(function () {
  const { fromBase64url, toBase64url, requestOptions, assertionAnswer, post } = window.StintPasskeys;
  const status = document.getElementById('status');

  function say(text) {
    if (status) {
      status.textContent = text;
    }
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
        const assertion = await navigator.credentials.get({ publicKey: requestOptions(options.public_key) });
        const answer = await post('/ui/sign-in/finish', {
          ceremony_id: options.ceremony_id,
          credential: assertionAnswer(assertion)
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
