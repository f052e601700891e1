/**
 * Contracts: a title, the parties, numbered clauses (original wording), a term clause, signature
 * blocks; one to three pages. Heading styles vary ("1. Services", "Section 1 - Services", ...).
 */
import {
  CURRENCIES,
  DATE_STYLES,
  REGION_OF,
  company,
  displayAmount,
  formatDate,
  iso,
  person,
  randomDate,
} from "../content.ts";
import { A4, DocBuilder, LETTER, keep } from "../page-model.ts";
import type { Rng } from "../prng.ts";
import type { ComposeOptions, ComposedDocument } from "../types.ts";
import { CONTRACT_TITLES, EU_CITIES, UK_CITIES, US_CITIES } from "../vocab.ts";

const ROLES = [
  ["Provider", "Client"],
  ["Supplier", "Customer"],
  ["Consultant", "Company"],
  ["Licensor", "Licensee"],
  ["Contractor", "Client"],
] as const;

const TERMS = [
  "6 months",
  "12 months",
  "18 months",
  "24 months",
  "36 months",
  "1 year",
  "2 years",
  "3 years",
  "5 years",
] as const;

type Slots = { a: string; b: string; days: number; fee: string; notice: number; city: string };

const CLAUSES: readonly [string, (s: Slots) => string][] = [
  [
    "Services",
    (s) =>
      `The ${s.a} shall provide the services described in Schedule 1 (the "Services") with reasonable skill and care and in accordance with good industry practice. The ${s.b} shall give the ${s.a} timely access to the information, premises and personnel reasonably required to perform the Services.`,
  ],
  [
    "Fees and Payment",
    (s) =>
      `In consideration of the Services the ${s.b} shall pay the ${s.a} the fees set out in Schedule 2, currently ${s.fee} per calendar month. Invoices are payable within ${s.days} days of receipt. Amounts not paid when due bear interest at two percent above the base rate until paid in full.`,
  ],
  [
    "Confidentiality",
    (s) =>
      `Each party shall keep confidential all information disclosed by the other party that is marked as confidential or would reasonably be considered confidential, and shall use it only for the purposes of this Agreement. This obligation continues for ${s.notice} months after the end of this Agreement.`,
  ],
  [
    "Intellectual Property",
    (s) =>
      `Each party retains ownership of the materials it owned before the Effective Date. Deliverables created specifically for the ${s.b} under this Agreement become the property of the ${s.b} upon payment of the corresponding fees, and the ${s.a} grants a non-exclusive licence to any pre-existing material they contain.`,
  ],
  [
    "Warranties",
    (s) =>
      `The ${s.a} warrants that it has the right to enter into this Agreement and that the Services will conform in all material respects to their description. The ${s.b} warrants that the information it provides is accurate and complete to the best of its knowledge.`,
  ],
  [
    "Limitation of Liability",
    (s) =>
      `Neither party shall be liable for any indirect or consequential loss. The total liability of each party in any contract year is limited to the fees paid or payable by the ${s.b} in that year, except for liability that cannot be limited by law.`,
  ],
  [
    "Termination",
    (s) =>
      `Either party may terminate this Agreement by giving not less than ${s.notice} months written notice to the other party. Either party may terminate immediately if the other commits a material breach that is not remedied within ${s.days} days of a written request to do so.`,
  ],
  [
    "Data Protection",
    (s) =>
      `Where the ${s.a} processes personal data on behalf of the ${s.b}, it shall do so only on documented instructions, keep the data secure, and delete or return it at the end of the Services unless storage is required by law.`,
  ],
  [
    "Insurance",
    (s) =>
      `The ${s.a} shall maintain adequate insurance cover with a reputable insurer for the duration of this Agreement and shall provide evidence of such cover to the ${s.b} on request.`,
  ],
  [
    "Force Majeure",
    () =>
      `Neither party shall be in breach of this Agreement if it is prevented from performing its obligations by events beyond its reasonable control, provided that it notifies the other party promptly and uses reasonable efforts to limit the effect of the event.`,
  ],
  [
    "Assignment",
    () =>
      `Neither party may assign or transfer any of its rights or obligations under this Agreement without the prior written consent of the other party, which shall not be unreasonably withheld or delayed.`,
  ],
  [
    "Notices",
    (s) =>
      `Notices under this Agreement shall be in writing and delivered by hand, by recorded post or by email to the addresses stated above. A notice is deemed received on the next business day after it is sent, as counted in ${s.city}.`,
  ],
  [
    "Entire Agreement",
    () =>
      `This Agreement, together with its schedules, constitutes the entire agreement between the parties and supersedes all prior discussions and arrangements relating to its subject matter. Any change must be agreed in writing and signed by both parties.`,
  ],
  [
    "Governing Law",
    (s) =>
      `This Agreement is governed by the laws applicable at the registered office of the ${s.a}, and the courts of ${s.city} have exclusive jurisdiction over any dispute arising from it.`,
  ],
];

function heading(style: number, n: number, title: string): string {
  if (style === 0) return `${n}. ${title}`;
  if (style === 1) return `Section ${n} - ${title}`;
  return `ARTICLE ${n}: ${title.toUpperCase()}`;
}

export function composeContract(rng: Rng, opts: ComposeOptions): ComposedDocument {
  const currency = rng.pick(CURRENCIES);
  const region = REGION_OF[currency];
  const a = company(rng.fork("a"), region);
  let b = company(rng.fork("b"), region);
  if (b.name === a.name) b = company(rng.fork("b2"), region);
  const [roleA, roleB] = rng.pick(ROLES);
  const title = rng.pick(CONTRACT_TITLES);
  const date = randomDate(rng);
  const dateText = formatDate(date, rng.pick(DATE_STYLES));
  const term = rng.pick(TERMS);
  const headingStyle = rng.int(0, 2);
  const size = rng.pick([A4, LETTER]);
  const slots: Slots = {
    a: roleA,
    b: roleB,
    days: rng.pick([14, 30, 45]),
    fee: `${currency} ${displayAmount(rng.int(1500, 40000) * 100, true)}`,
    notice: rng.pick([1, 2, 3, 6]),
    city:
      region === "us"
        ? rng.pick(US_CITIES)[0]
        : region === "uk"
          ? rng.pick(UK_CITIES)[0]
          : rng.pick(EU_CITIES)[0],
  };
  const wanted = Math.min(
    opts.maxPages,
    rng.weighted([
      [1, 3],
      [2, 4],
      [3, 3],
    ] as const),
  );
  const pool = rng.sample(CLAUSES, CLAUSES.length);
  const signers = [person(rng.fork("sa")), person(rng.fork("sb"))];

  const build = (clauseCount: number) => {
    const doc = new DocBuilder(size, { top: 60, bottom: 70, left: 64, right: 64 });
    doc.page.text(title.toUpperCase(), size.width / 2, (doc.y += 10), {
      size: 15,
      weight: "bold",
      align: "center",
    });
    doc.space(26);
    doc.page.text(`Effective Date: ${dateText}`, doc.margin.left, doc.y, { size: 10.5, weight: "bold" });
    doc.space(8);
    doc.paragraph(
      `This ${title} (the "Agreement") is made on the Effective Date stated above between the following parties:`,
    );
    doc.paragraph(a.name, { weight: "bold", after: 2 });
    doc.paragraph(`of ${a.address.join(", ")} (the "${roleA}"); and`, { indent: 14 });
    doc.paragraph(b.name, { weight: "bold", after: 2 });
    doc.paragraph(`of ${b.address.join(", ")} (the "${roleB}").`, { indent: 14 });
    doc.paragraph(`The parties agree as follows.`);
    let n = 1;
    doc.ensure(60);
    doc.paragraph(heading(headingStyle, n++, "Term"), { weight: "bold", after: 2 });
    doc.paragraph(
      `This Agreement starts on the Effective Date and continues for a term of ${keep(term)}, after which it renews for successive periods of the same length unless either party gives notice of non-renewal.`,
    );
    for (const [name, text] of pool.slice(0, clauseCount)) {
      doc.ensure(60);
      doc.paragraph(heading(headingStyle, n++, name), { weight: "bold", after: 2 });
      doc.paragraph(text(slots));
    }
    doc.ensure(130);
    doc.paragraph("Signed by the authorised representatives of the parties:", { after: 30 });
    const y = doc.y;
    signers.forEach((p, i) => {
      const x = doc.margin.left + i * (doc.contentWidth / 2 + 10);
      const party = i === 0 ? a : b;
      doc.page.line(x, y, x + 190, y, 0.6);
      doc.page.text(`For ${party.name}`, x, y + 14, { size: 9 });
      doc.page.text(`Name: ${p.full}`, x, y + 28, { size: 9 });
      doc.page.text(`Title: ${p.title}`, x, y + 42, { size: 9 });
    });
    doc.y = y + 50;
    return doc;
  };

  let count = Math.min(
    CLAUSES.length,
    wanted === 1 ? rng.int(2, 3) : wanted === 2 ? rng.int(6, 8) : rng.int(11, 14),
  );
  let doc = build(count);
  while (doc.pages.length > opts.maxPages && count > 0) doc = build(--count);
  const total = doc.pages.length;
  if (total > 1)
    doc.pages.forEach((p, i) =>
      p.text(`Page ${i + 1} of ${total}`, size.width / 2, size.height - 36, {
        size: 8.5,
        align: "center",
        gray: 0.3,
      }),
    );

  return {
    type: "contract",
    template: `contract/${["numbered", "sections", "articles"][headingStyle]}`,
    pages: doc.specs(),
    fields: { parties: `${a.name}; ${b.name}`, effective_date: iso(date), term },
    shown: { parties: [a.name, b.name], effective_date: [dateText], term: [term] },
  };
}
