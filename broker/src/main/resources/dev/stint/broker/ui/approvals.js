// Stint's approval page: approve a request with a passkey assertion over its challenge, or deny
// it, through the approvals API. Served as a file (the Content-Security-Policy allows no inline
// script), after passkeys.js, whose helpers it uses.
'use strict';

(function () {
  const decision = document.getElementById('decision');
  if (!decision) {
    return;
  }
  const { requestOptions, assertionAnswer } = window.StintPasskeys;
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

  function post(action, body) {
    return window.StintPasskeys.post('/v1/approvals/' + encodeURIComponent(approvalId) + '/' + action, body);
  }

  function commentText() {
    const text = comment.value.trim();
    return text === '' ? undefined : text;
  }

  // The options bind the challenge to this request's digest; the passkey signs it.
  async function passkeyAnswer() {
    const options = await post('options', {});
    const assertion = await navigator.credentials.get({ publicKey: requestOptions(options.public_key) });
    return { ceremony_id: options.ceremony_id, credential: assertionAnswer(assertion) };
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
