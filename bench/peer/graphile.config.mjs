// PostGraphile 5 on Cortège's database, as the peer of bench/peer/run.sh.
// DATABASE_URL points at the same database Cortège serves; the schema
// `peer` holds the SQL functions for what PostGraphile cannot express on
// its own (upcoming events, search near a point).
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { PgSimplifyInflectionPreset } from "@graphile/simplify-inflection";

export default {
  extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public", "peer"],
      poolConfig: { max: 20 },
    }),
  ],
  grafserv: { port: Number(process.env.PEER_PORT ?? 5678), graphiql: false },
  grafast: { explain: false },
};
