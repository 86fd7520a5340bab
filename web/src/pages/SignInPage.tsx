import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { Alert, Button, Center, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { sessionApi } from '../api/endpoints';
import { fetchSession, homePath, useSessionQuery, useSetSession } from '../session';
import { fieldError } from '../components/ErrorAlert';
import { BrandMark } from '../components/BrandMark';
import { IconAlert } from '../components/icons';
import { formatDuration } from '../lib/format';

/** Only a path inside this app (never //host or a full URL) may follow sign-in. */
const safeNext = (v: string | null) => (v && v.startsWith('/') && !v.startsWith('//') && !v.startsWith('/sign-in') ? v : null);

function signInMessage(err: unknown): { title: string; text: string } {
  if (err instanceof ApiError) {
    if (err.status === 401) return { title: 'Wrong email or password', text: 'Check both and try again. Passwords are case-sensitive.' };
    if (err.status === 429) {
      const wait = err.retryAfter ?? 60;
      const at = new Date(Date.now() + wait * 1000).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
      return { title: 'Too many attempts', text: `Sign-in is paused after several failed attempts. Try again in ${formatDuration(wait)} (at ${at}).` };
    }
    if (err.status === 400) return { title: 'Check the form', text: err.problem.detail };
    return { title: err.problem.title, text: err.problem.detail };
  }
  return { title: 'Could not sign in', text: err instanceof Error ? err.message : String(err) };
}

export default function SignInPage() {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const navigate = useNavigate();
  const session = useSessionQuery();
  const setSession = useSetSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<{ email?: string; password?: string }>({});

  const signIn = useMutation({
    mutationFn: async () => {
      await sessionApi.signIn({ email: email.trim(), password });
      const s = await fetchSession();
      if (!s) throw new Error('Signed in, but the session was not kept. Does your browser accept cookies from this site?');
      return s;
    },
    onSuccess: (s) => {
      setSession(s);
      void navigate(next ?? homePath(s), { replace: true });
    },
  });

  if (session.data && !signIn.isPending && !signIn.isSuccess) return <Navigate to={next ?? homePath(session.data)} replace />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const m = { email: email.trim() ? undefined : 'Enter your email', password: password ? undefined : 'Enter your password' };
    setMissing(m);
    if (!m.email && !m.password) signIn.mutate();
  };
  const msg = signIn.error ? signInMessage(signIn.error) : null;
  const emailError = missing.email ?? fieldError(signIn.error, 'email');

  return (
    <Center mih="100vh" p="md" style={{ background: 'linear-gradient(160deg, var(--mantine-color-tandem-0), var(--mantine-color-gray-0) 60%)' }}>
      <Stack w="100%" maw={400} gap="lg">
        <Group gap={10} justify="center">
          <BrandMark size={40} />
          <Text className="tandem-brand" fz={32}>
            Tandem
          </Text>
        </Group>
        <Paper withBorder shadow="sm" p="xl" radius="lg" component="form" onSubmit={submit} noValidate aria-labelledby="sign-in-title">
          <Stack gap="md">
            <div>
              <Title order={1} size="h3" id="sign-in-title">
                Sign in
              </Title>
              <Text size="sm" c="dimmed">
                to your workspace
              </Text>
            </div>
            {msg && (
              <Alert color="red" variant="light" icon={<IconAlert />} title={msg.title} role="alert">
                {msg.text}
              </Alert>
            )}
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={emailError}
              data-autofocus
              autoFocus
            />
            <PasswordInput label="Password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={missing.password ?? fieldError(signIn.error, 'password')} />
            <Button type="submit" fullWidth loading={signIn.isPending}>
              Sign in
            </Button>
          </Stack>
        </Paper>
        <Text size="xs" c="dimmed" ta="center">
          Tandem · engagement for employees, customers and partners
        </Text>
      </Stack>
    </Center>
  );
}
