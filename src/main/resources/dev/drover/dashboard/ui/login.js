// The login page: the token is sent once, as JSON, and exchanged for an HttpOnly session cookie.
const form = document.getElementById('login');
const message = document.getElementById('message');

if (new URLSearchParams(location.search).has('expired')) {
  message.textContent = 'That login link was already used or has expired: log in with the token.';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  message.textContent = '';
  const token = document.getElementById('token').value;
  let answer;
  try {
    answer = await fetch('/login', {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({token}),
      credentials: 'same-origin',
    });
  } catch (e) {
    message.textContent = 'The daemon does not answer: is it running?';
    return;
  }
  if (answer.ok) {
    location.replace('/');
    return;
  }
  const body = await answer.json().catch(() => ({error: answer.statusText}));
  message.textContent = answer.status === 401 ? 'Wrong token.' : body.error;
  document.getElementById('token').select();
});
