import '../app.css';
import { Api, ApiError } from './api';
import { byId } from './dom';
import { OperatorView } from './OperatorView';
import { TenantView } from './TenantView';

/**
 * The dashboard's entry: the two login forms, then the tenant's or the
 * operator's view. The token lives in this page's memory only.
 */
const api = new Api();
const tenantView = new TenantView(api);
const operatorView = new OperatorView(api);

function show(view: 'login' | 'tenant' | 'operator', who = ''): void {
  byId('login-view').hidden = view !== 'login';
  byId('tenant-view').hidden = view !== 'tenant';
  byId('operator-view').hidden = view !== 'operator';
  byId('logout').hidden = view === 'login';
  byId('who').textContent = who;
}

function logout(message = ''): void {
  tenantView.close();
  operatorView.close();
  api.setToken(undefined);
  show('login');
  byId('status').textContent = message;
  byId<HTMLInputElement>('tenant-id').focus();
}

async function submit(form: HTMLFormElement, errorId: string, login: () => Promise<void>): Promise<void> {
  const error = byId(errorId);
  const button = form.querySelector('button') as HTMLButtonElement;
  error.textContent = '';
  const missing = [...form.querySelectorAll('input')].find((input) => !input.value);
  if (missing) {
    error.textContent = `${form.querySelector(`label[for="${missing.id}"]`)?.textContent ?? 'A field'} is required`;
    missing.focus();
    return;
  }
  button.disabled = true;
  try {
    await login();
    form.reset();
    byId('main').focus();
  } catch (failure) {
    api.setToken(undefined);
    error.textContent = failure instanceof ApiError ? failure.message : `the platform is unreachable: ${(failure as Error).message}`;
  } finally {
    button.disabled = false;
  }
}

byId<HTMLFormElement>('tenant-login').addEventListener('submit', (event) => {
  event.preventDefault();
  void submit(event.target as HTMLFormElement, 'tenant-login-error', async () => {
    const tenant = byId<HTMLInputElement>('tenant-id').value.trim();
    const reply = await api.call<{ token: string; tenant: string }>('POST', '/auth/login', {
      tenant,
      password: byId<HTMLInputElement>('tenant-password').value,
    });
    api.setToken(reply.token);
    show('tenant', `tenant ${reply.tenant}`);
    await tenantView.open(reply.tenant);
  });
});

byId<HTMLFormElement>('operator-login').addEventListener('submit', (event) => {
  event.preventDefault();
  void submit(event.target as HTMLFormElement, 'operator-login-error', async () => {
    const reply = await api.call<{ token: string }>('POST', '/operator/login', { password: byId<HTMLInputElement>('operator-password').value });
    api.setToken(reply.token);
    show('operator', 'platform operator');
    await operatorView.open();
  });
});

byId('logout').addEventListener('click', () => logout('Logged out.'));
api.onUnauthorized = (message) => logout(`Logged out: ${message}`);
