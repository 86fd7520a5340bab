import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { Button, Center, Stack, Text } from '@mantine/core';
import type { Permission } from './api/types';
import { SessionProvider, homePath, useSession, useSessionQuery } from './session';
import { AppLayout } from './components/AppLayout';
import { NoAccess } from './components/NoAccess';
import { PageLoader } from './components/PageLoader';

// One chunk per page: the first load only fetches the shell and the page it opens.
const SignInPage = lazy(() => import('./pages/SignInPage'));
const PeoplePage = lazy(() => import('./pages/PeoplePage'));
const TeamsPage = lazy(() => import('./pages/TeamsPage'));
const AccountsPage = lazy(() => import('./pages/AccountsPage'));
const AccountDetailPage = lazy(() => import('./pages/AccountDetailPage'));
const ImportPage = lazy(() => import('./pages/ImportPage'));
const ApiKeysPage = lazy(() => import('./pages/ApiKeysPage'));
const WebhooksPage = lazy(() => import('./pages/WebhooksPage'));
const InboxPage = lazy(() => import('./pages/InboxPage'));
const NotificationPreferencesPage = lazy(() => import('./pages/NotificationPreferencesPage'));
const CatalogPage = lazy(() => import('./pages/CatalogPage'));
const RewardPage = lazy(() => import('./pages/RewardPage'));
const MyOrdersPage = lazy(() => import('./pages/MyOrdersPage'));
const FulfilmentPage = lazy(() => import('./pages/FulfilmentPage'));
const DeliveryReportPage = lazy(() => import('./pages/DeliveryReportPage'));
const SentMailPage = lazy(() => import('./pages/SentMailPage'));
const MessageTemplatesPage = lazy(() => import('./pages/MessageTemplatesPage'));
const SettingsPage = lazy(() => import('./pages/SettingsPage'));
const ParticipantHomePage = lazy(() => import('./pages/ParticipantHomePage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));
const ProgramsPage = lazy(() => import('./pages/ProgramsPage'));
const ProgramDetailPage = lazy(() => import('./pages/ProgramDetailPage'));
const ProgramEditorPage = lazy(() => import('./pages/ProgramEditorPage'));
const EventsPage = lazy(() => import('./pages/EventsPage'));
const PersonWalletPage = lazy(() => import('./pages/PersonWalletPage'));
const RewardsAdminPage = lazy(() => import('./pages/RewardsAdminPage'));
const RewardEditorPage = lazy(() => import('./pages/RewardEditorPage'));
const MoneyPage = lazy(() => import('./pages/MoneyPage'));
const RewardFulfilmentPage = lazy(() => import('./pages/RewardFulfilmentPage'));
const FulfilmentVendorsPage = lazy(() => import('./pages/FulfilmentVendorsPage'));
const TakeSurveyPage = lazy(() => import('./pages/TakeSurveyPage'));
const PublicSurveyLinkPage = lazy(() => import('./pages/PublicSurveyLinkPage'));
const SurveysPage = lazy(() => import('./pages/SurveysPage'));
const SurveyEditorPage = lazy(() => import('./pages/SurveyEditorPage'));
const SurveyResultsPage = lazy(() => import('./pages/SurveyResultsPage'));

function Guard({ perm, anyOf, children }: { perm?: Permission; anyOf?: Permission[]; children: ReactNode }) {
  const { can } = useSession();
  const ok = perm ? can(perm) : anyOf ? anyOf.some(can) : true;
  return ok ? <>{children}</> : <NoAccess />;
}

function Home() {
  const { session } = useSession();
  return <Navigate to={homePath(session)} replace />;
}

function SignedIn() {
  const location = useLocation();
  const q = useSessionQuery();
  if (q.isPending) return <PageLoader />;
  if (q.isError)
    return (
      <Center h="100vh">
        <Stack align="center" gap="sm">
          <Text fw={600}>Tandem could not load your session.</Text>
          <Text c="dimmed" size="sm">
            {q.error.message}
          </Text>
          <Button onClick={() => void q.refetch()}>Try again</Button>
        </Stack>
      </Center>
    );
  if (!q.data) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return (
    <SessionProvider session={q.data}>
      <AppLayout>
        <Suspense fallback={<PageLoader />}>
          <Routes>
            <Route index element={<Home />} />
            <Route path="me" element={<ParticipantHomePage />} />
            <Route path="people" element={<Guard perm="people.read"><PeoplePage /></Guard>} />
            <Route path="people/:id/wallet" element={<Guard perm="wallets.read"><PersonWalletPage /></Guard>} />
            <Route path="programs" element={<Guard perm="programs.read"><ProgramsPage /></Guard>} />
            <Route path="programs/new" element={<Guard perm="programs.manage"><ProgramEditorPage /></Guard>} />
            <Route path="programs/:id" element={<Guard perm="programs.read"><ProgramDetailPage /></Guard>} />
            <Route path="programs/:id/edit" element={<Guard perm="programs.manage"><ProgramEditorPage /></Guard>} />
            <Route path="surveys" element={<Guard perm="surveys.read"><SurveysPage /></Guard>} />
            <Route path="admin/surveys/new" element={<Guard perm="surveys.manage"><SurveyEditorPage /></Guard>} />
            <Route path="admin/surveys/:id" element={<Guard perm="surveys.manage"><SurveyEditorPage /></Guard>} />
            <Route path="admin/surveys/:id/results" element={<Guard perm="surveys.read"><SurveyResultsPage /></Guard>} />
            <Route path="events" element={<Guard perm="events.read"><EventsPage /></Guard>} />
            <Route path="teams" element={<Guard perm="org.read"><TeamsPage /></Guard>} />
            <Route path="accounts" element={<Guard perm="org.read"><AccountsPage /></Guard>} />
            <Route path="accounts/:id" element={<Guard perm="org.read"><AccountDetailPage /></Guard>} />
            <Route path="import" element={<Guard perm="org.write"><ImportPage /></Guard>} />
            {/* not /api-keys: the server answers every path under /api itself */}
            <Route path="keys" element={<Guard perm="keys.manage"><ApiKeysPage /></Guard>} />
            <Route path="webhooks" element={<Guard perm="webhooks.manage"><WebhooksPage /></Guard>} />
            <Route path="inbox" element={<InboxPage />} />
            <Route path="notifications" element={<NotificationPreferencesPage />} />
            <Route path="rewards" element={<CatalogPage />} />
            <Route path="rewards/:id" element={<RewardPage />} />
            <Route path="orders" element={<MyOrdersPage />} />
            <Route path="admin/rewards" element={<Guard perm="rewards.manage"><RewardsAdminPage /></Guard>} />
            <Route path="admin/rewards/new" element={<Guard perm="rewards.manage"><RewardEditorPage /></Guard>} />
            <Route path="admin/rewards/money" element={<Guard perm="money.read"><MoneyPage /></Guard>} />
            <Route path="admin/rewards/:id" element={<Guard perm="rewards.manage"><RewardEditorPage /></Guard>} />
            <Route path="fulfilment" element={<Guard perm="rewards.manage"><FulfilmentPage /></Guard>} />
            <Route path="delivery-report" element={<Guard perm="rewards.manage"><DeliveryReportPage /></Guard>} />
            <Route path="sent-mail" element={<Guard perm="comms.manage"><SentMailPage /></Guard>} />
            <Route path="message-templates" element={<Guard perm="comms.manage"><MessageTemplatesPage /></Guard>} />
            <Route path="settings" element={<Guard anyOf={['workspace.manage', 'users.manage']}><SettingsPage /></Guard>} />
            <Route path="admin/rewards/:id/fulfilment" element={<Guard perm="rewards.manage"><RewardFulfilmentPage /></Guard>} />
            <Route path="admin/fulfilment-vendors" element={<Guard perm="rewards.manage"><FulfilmentVendorsPage /></Guard>} />
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </Suspense>
      </AppLayout>
    </SessionProvider>
  );
}

export function App() {
  return (
    <Suspense fallback={<PageLoader />}>
      <Routes>
        <Route path="/sign-in" element={<SignInPage />} />
        <Route path="/s/:token" element={<TakeSurveyPage />} />
        <Route path="/s/p/:linkToken" element={<PublicSurveyLinkPage />} />
        <Route path="/*" element={<SignedIn />} />
      </Routes>
    </Suspense>
  );
}
