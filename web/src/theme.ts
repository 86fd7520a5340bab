import { createTheme, type MantineColorsTuple } from '@mantine/core';

// Tandem blue: a calm, professional primary.
const tandem: MantineColorsTuple = ['#eef3ff', '#dce4f5', '#b6c7e6', '#8da8d8', '#6a8dcb', '#547cc4', '#4873c1', '#3962ab', '#30579a', '#224a89'];

export const theme = createTheme({
  primaryColor: 'tandem',
  colors: { tandem },
  primaryShade: 7,
  defaultRadius: 'md',
  fontFamily: 'Inter, "Segoe UI", system-ui, -apple-system, Roboto, "Helvetica Neue", Arial, sans-serif',
  headings: { fontWeight: '650' },
  components: {
    Table: { defaultProps: { verticalSpacing: 'sm', highlightOnHover: true } },
    Modal: { defaultProps: { centered: true } },
  },
});
