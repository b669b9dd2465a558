// TypeDoc plugin (typedoc.json "plugin"): the members of the engine's code
// tables, TLS_ERR and ALERT in ts/core/errors.ts, are documented by their
// value. The tables are one numbering with crypto-src/inc/wt_tls.h and the
// RFCs' AlertDescription registry; the table's own comment says where each
// comes from, and a member's name is its meaning (`bad_record_mac`), so the
// reference shows `bad_record_mac: 20 (0x14)` rather than a comment per line
// repeating the name. Any other undocumented export still fails `npm run docs`
// (validation.notDocumented with treatWarningsAsErrors).
import { Comment, Converter, ReflectionKind } from 'typedoc';

const TABLES = new Set(['TLS_ERR', 'ALERT']);

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    for (const v of context.project.getReflectionsByKind(ReflectionKind.Variable)) {
      if (!TABLES.has(v.name)) continue;
      // Readonly<{ ... }>: the members are the type argument's.
      const t = v.type?.type === 'reference' ? v.type.typeArguments?.[0] : v.type;
      if (t?.type !== 'reflection') throw new Error(`typedoc-code-tables: ${v.name} is not an object of codes`);
      for (const m of t.declaration.children ?? []) {
        if (m.comment) continue;
        // Object.freeze({...}) types the members as `number`: the value is
        // read from the declaration's initializer.
        const decl = context.getSymbolFromReflection(m)?.valueDeclaration;
        const init = decl?.initializer?.getText();
        const n = init === undefined ? Number.NaN : Number(init);
        if (!Number.isInteger(n)) throw new Error(`typedoc-code-tables: ${v.name}.${m.name} has no integer value`);
        m.comment = new Comment([{ kind: 'code', text: `\`${n} (0x${n.toString(16)})\`` }]);
      }
    }
  });
}
