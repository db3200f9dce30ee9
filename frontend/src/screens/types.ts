export interface ViewerLike {
  roles: string[];
  hasAcceptedPledge: boolean;
  homeLocation?: { lat: number; lon: number } | null;
  actionRadiusKm: number;
  person: { id: string; displayName: string };
}
