/** Business letters: letterhead, date, addressee, subject line, body, sign-off; three layouts. */
import {
  CURRENCIES,
  DATE_STYLES,
  REGION_OF,
  address,
  company,
  formatDate,
  iso,
  person,
  randomDate,
} from "../content.ts";
import { A4, DocBuilder, LETTER } from "../page-model.ts";
import type { Rng } from "../prng.ts";
import type { ComposedDocument } from "../types.ts";
import { LETTER_SUBJECTS } from "../vocab.ts";

type Topic = (typeof LETTER_SUBJECTS)[number][1];

const BODIES: Record<Topic, readonly string[]> = {
  delivery: [
    "We are writing to let you know that from the first of next month all deliveries for our company should be sent to the address shown above.",
    "Orders already in transit will be redirected by the carrier, and no action is needed on your side for those shipments.",
    "Please update your records and share this notice with your dispatch team so that future consignments reach us without delay.",
  ],
  payment: [
    "Our records show that the balance on your account remains unpaid beyond the agreed payment terms.",
    "If payment has already been made, please accept our thanks and disregard this reminder; otherwise we would be grateful if you could settle the amount within fourteen days.",
    "Should there be any question about the invoices concerned, our accounts team will be happy to provide copies and go through them with you.",
  ],
  meeting: [
    "Thank you for taking the time to speak with us earlier this week.",
    "As agreed, we will meet at our offices to review the proposal in detail, and we will circulate an agenda a few days beforehand.",
    "If the date no longer suits you, please let us know and we will find an alternative that works for both teams.",
  ],
  pricing: [
    "We value our long-standing relationship and want to give you early notice of changes to our price list.",
    "Rising costs for materials and transport mean that some of our rates will increase moderately from the start of the new year.",
    "The enclosed schedule sets out the revised prices, and your account manager is available to discuss volume arrangements.",
  ],
  documents: [
    "As part of our annual supplier review we ask all partners to confirm that their certificates and registrations are current.",
    "Please send us copies of your insurance certificate and quality accreditation at your earliest convenience.",
    "Documents can be returned by email or post, and we will confirm receipt once our review is complete.",
  ],
  service: [
    "Thank you for contacting us about the matter you raised with our support team.",
    "We have looked into it carefully and have taken steps to make sure that the issue does not happen again.",
    "We appreciate your patience and hope to continue serving you for many years to come.",
  ],
};

const SALUTATIONS = ["Dear", "Dear"] as const;
const CLOSINGS = [
  "Sincerely,",
  "Yours sincerely,",
  "Kind regards,",
  "Best regards,",
  "Yours faithfully,",
] as const;
const SUBJECT_PREFIX = ["Re:", "Subject:", "RE:", "Regarding:"] as const;

export function composeLetter(rng: Rng): ComposedDocument {
  const currency = rng.pick(CURRENCIES);
  const region = REGION_OF[currency];
  const sender = company(rng.fork("sender"), region);
  const recipientOrg = company(rng.fork("recipient-org"), region);
  const recipient = person(rng.fork("recipient"));
  const signer = person(rng.fork("signer"));
  const date = randomDate(rng);
  const dateText = formatDate(date, rng.pick(DATE_STYLES));
  const [subject, topic] = rng.pick(LETTER_SUBJECTS);
  const layout = rng.int(0, 2);
  const size = rng.pick([A4, LETTER]);
  const doc = new DocBuilder(size, { top: 56, bottom: 60, left: 70, right: 70 });
  const p = doc.page;
  const right = size.width - doc.margin.right;
  const left = doc.margin.left;

  if (layout === 0) {
    p.text(sender.name, size.width / 2, (doc.y += 14), { size: 16, weight: "bold", align: "center" });
    p.text(sender.address.join(", "), size.width / 2, (doc.y += 16), { size: 9, align: "center" });
    p.text(`${sender.phone}  ${sender.email}`, size.width / 2, (doc.y += 12), { size: 9, align: "center" });
    p.line(left, (doc.y += 10), right, doc.y, 0.75);
    p.text(dateText, right, (doc.y += 36), { size: 10.5, align: "right" });
  } else if (layout === 1) {
    p.text(sender.name, right, (doc.y += 14), { size: 13, weight: "bold", align: "right" });
    for (const line of sender.address) p.text(line, right, (doc.y += 13), { size: 9.5, align: "right" });
    p.text(sender.email, right, (doc.y += 13), { size: 9.5, align: "right" });
    p.text(dateText, left, (doc.y += 40), { size: 10.5 });
  } else {
    p.rect(left, doc.y, 6, 44, { fill: 0.35 });
    p.text(sender.name, left + 16, (doc.y += 20), { size: 15, weight: "bold" });
    p.text(sender.address.join(", "), left + 16, (doc.y += 18), { size: 9 });
    doc.y += 30;
    p.text(
      `Our ref: ${String.fromCharCode(65 + rng.int(0, 25))}${String.fromCharCode(65 + rng.int(0, 25))}/${rng.int(100, 9999)}`,
      left,
      doc.y,
      { size: 9.5 },
    );
    p.text(`Date: ${dateText}`, right, doc.y, { size: 10.5, align: "right" });
  }
  doc.y += 26;
  const recipientLines = [
    recipient.full,
    recipient.title,
    recipientOrg.name,
    ...address(rng.fork("raddr"), region),
  ];
  for (const line of recipientLines) p.text(line, left, (doc.y += 13.5), { size: 10 });
  doc.y += 24;
  const prefix = rng.pick(SUBJECT_PREFIX);
  p.text(`${prefix} ${subject}`, left, doc.y, { size: 10.5, weight: "bold" });
  doc.y += 14;
  doc.paragraph(`${rng.pick(SALUTATIONS)} ${recipient.full},`, { after: 4 });
  const body = BODIES[topic];
  doc.paragraph(body[0]!);
  doc.paragraph(body.slice(1).join(" "));
  doc.paragraph("Please do not hesitate to contact me if you have any questions.");
  doc.paragraph(rng.pick(CLOSINGS), { after: 34 });
  doc.paragraph(signer.full, { after: 0 });
  doc.paragraph(`${signer.title}, ${sender.name}`, { size: 9.5 });

  return {
    type: "letter",
    template: `letter/${["centred-letterhead", "block", "side-bar"][layout]}`,
    pages: doc.specs(),
    fields: { sender: sender.name, recipient: recipient.full, date: iso(date), subject },
    shown: { sender: [sender.name], recipient: [recipient.full], date: [dateText], subject: [subject] },
  };
}
