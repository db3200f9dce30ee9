import type { CodegenConfig } from '@graphql-codegen/cli';

// Operations are typed from the committed schema.graphql; `npm run codegen`
// rewrites src/gql, and the test command fails when it drifts.
const config: CodegenConfig = {
  schema: '../schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: true,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        scalars: { DateTime: 'string', Upload: 'File' },
        useTypeImports: true,
      },
    },
  },
};

export default config;
