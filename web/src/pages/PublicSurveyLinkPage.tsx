import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { Container, Loader, Stack, Text } from '@mantine/core';
import { takingApi } from '../api/surveys';
import { BrandMark } from '../components/BrandMark';
import { Problem } from './TakeSurveyPage';

/**
 * An anonymous survey's public link: starts a response (a fresh single-use token) and goes on
 * to the usual taking page. The token is kept for this tab, so a reload resumes the same answers.
 */
export default function PublicSurveyLinkPage() {
  const { linkToken = '' } = useParams();
  const navigate = useNavigate();
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    const key = `tandem:survey-link:${linkToken}`;
    const kept = sessionStorage.getItem(key);
    if (kept) {
      void navigate(`/s/${kept}`, { replace: true });
      return;
    }
    let live = true;
    takingApi.start(linkToken).then(
      (r) => {
        sessionStorage.setItem(key, r.token);
        if (live) void navigate(`/s/${r.token}`, { replace: true });
      },
      (e: unknown) => live && setErr(e),
    );
    return () => {
      live = false;
    };
  }, [linkToken, navigate]);
  return (
    <Container size="sm" py="xl">
      <Stack gap="lg">
        <BrandMark />
        {err !== null ? <Problem err={err} /> : (
          <Stack align="center" gap="xs" role="status">
            <Loader />
            <Text c="dimmed">Opening the survey…</Text>
          </Stack>
        )}
      </Stack>
    </Container>
  );
}
