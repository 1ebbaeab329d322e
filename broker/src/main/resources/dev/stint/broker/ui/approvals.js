// Stint's approval page: approve a request with a passkey assertion over its challenge, or deny
// it, through the approvals API. Served as a file (the Content-Security-Policy allows no inline
// script). Binary WebAuthn values travel as base64url; every request carries the page's CSRF token.
'use strict';

(function () {
  const decision = document.getElementById('decision');
  if (!decision) {
    return;
  }
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const approvalId = decision.dataset.approval;
  const status = document.getElementById('status');
  const reauth = document.getElementById('reauth');
  const comment = document.getElementById('comment');
  const buttons = decision.querySelectorAll('button');

  function say(text) {
    status.textContent = text;
  }

  function busy(on) {
    buttons.forEach((button) => { button.disabled = on; });
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

  async function post(action, body) {
    const response = await fetch('/v1/approvals/' + encodeURIComponent(approvalId) + '/' + action, {
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

  function commentText() {
    const text = comment.value.trim();
    return text === '' ? undefined : text;
  }

  // The options bind the challenge to this request's digest; the passkey signs it.
  async function passkeyAnswer() {
    const options = await post('options', {});
    const key = options.public_key;
    const assertion = await navigator.credentials.get({
      publicKey: {
        challenge: fromBase64url(key.challenge),
        rpId: key.rpId,
        userVerification: key.userVerification,
        timeout: key.timeout,
        allowCredentials: key.allowCredentials.map((c) => ({ type: c.type, id: fromBase64url(c.id) }))
      }
    });
    const response = assertion.response;
    return {
      ceremony_id: options.ceremony_id,
      credential: {
        id: toBase64url(assertion.rawId),
        client_data_json: toBase64url(response.clientDataJSON),
        authenticator_data: toBase64url(response.authenticatorData),
        signature: toBase64url(response.signature),
        user_handle: response.userHandle ? toBase64url(response.userHandle) : null
      }
    };
  }

  async function approve() {
    // Signed in by single sign-on without a passkey: the recent sign-in is the proof.
    const body = decision.dataset.approveWith === 'session' ? {} : await passkeyAnswer();
    body.comment = commentText();
    const answer = await post('approve', body);
    return answer.status === 'approved' ? 'Approved: the quorum is met and the task is active.'
      : 'Your approval is recorded. The request waits for more approvers.';
  }

  async function deny() {
    await post('deny', { comment: commentText() });
    return 'Denied: the task has ended.';
  }

  function onClick(button, work, prompt, refused) {
    if (!button) {
      return;
    }
    button.addEventListener('click', async () => {
      busy(true);
      reauth.hidden = true;
      say(prompt);
      try {
        say(await work());
        // The page, read again, shows the verdict among the others.
        setTimeout(() => location.reload(), 1500);
      } catch (e) {
        say(refused + e.message);
        if (e.type === 'urn:stint:problem:reauthentication-required') {
          reauth.hidden = false;
        }
        busy(false);
      }
    });
  }

  onClick(document.getElementById('approve'), approve,
    'Follow your browser\u2019s prompt to approve with your passkey\u2026', 'Not approved: ');
  onClick(document.getElementById('deny'), deny, 'Denying\u2026', 'Not denied: ');
})();
