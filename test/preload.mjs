// Imported before tsx (`--import ./test/preload.mjs --import tsx`): modules loaded before tsx
// registers its loader hooks skip them. In Node 20 those hooks run off-thread and cost ~1.3 ms per
// module; TypeBox's ESM build is ~270 modules, which made it 0.3 s of every test process.
import '@sinclair/typebox';
import '@sinclair/typebox/value';
import '@sinclair/typebox/compiler';
