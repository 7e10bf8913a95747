// The built UI's manifest. The generated module is git-ignored: `bun scripts/gen-ui-assets.ts`
// (run by `npm run build:ui`) writes it, empty when web/dist has not been built.
export { uiAssets } from "./ui-assets.gen";
