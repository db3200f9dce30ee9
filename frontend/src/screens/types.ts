import type { ViewerQuery } from '../gql/graphql';

/** The signed-in viewer, as the app's Viewer query reads it. */
export type Viewer = NonNullable<ViewerQuery['viewer']>;
