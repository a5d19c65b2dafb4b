"""The approved-indications knowledge: what each product clinics market is approved or cleared for.

``rules/_indications.yaml`` lists products and therapies (ketamine, Spravato, compounded semaglutide, HBOT,
exosomes, ...) with their FDA status, their approved or cleared indications (ids of ``<condition>``
concepts), the words copy uses for them, a one-line summary for messages, and the sources behind each entry.
Rules use it through a ``knowledge:`` check (see :mod:`lint.packs`): an efficacy claim for a condition outside
a product's indications is an unapproved use; "FDA-approved" said of a compounded or unapproved product is a
regulatory claim. It also defines the ``<product>`` vocabulary (one concept per product).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from lint.vocab import Entry, Vocabulary, _entries
from lint.wordpattern import NAME
from lint.yamlsource import Where, check_keys, mapping_list, read_yaml, string, string_list

STATUSES = {
    "approved": "FDA-approved (a drug, biologic or PMA device) for the listed indications",
    "cleared": "an FDA-cleared device (510(k)/De Novo): cleared for the listed uses, not 'approved'",
    "brand-only": "a generic name approved only inside brand products; on a clinic page usually a compounded copy",
    "compounded": "only compounded or unapproved versions exist for the uses marketed",
    "unapproved": "no FDA-approved or cleared product for the uses clinics market",
    "supplement": "a dietary supplement, herbal or homeopathic product: it may not claim to treat or prevent disease",
    "not-regulated": "a procedure or program outside FDA approval; indications are uses with accepted evidence",
}
KINDS = ("drug", "biologic", "device", "procedure", "supplement", "program")
# Statuses under which "FDA-approved" is false or misleading.
NOT_APPROVED = frozenset({"cleared", "brand-only", "compounded", "unapproved", "supplement", "not-regulated"})


@dataclass(frozen=True, slots=True)
class Source:
    authority: str
    title: str
    url: str
    date: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    name: str
    names: tuple[Entry, ...]
    kind: str
    status: str
    indications: frozenset[str]
    summary: str
    sources: tuple[Source, ...]
    where: str
    brands: tuple[str, ...] = ()

    def approved_for(self, condition: str) -> bool:
        return condition in self.indications

    def describe(self) -> str:
        """What ``clinic-lint explain`` prints about the entry behind a finding."""
        lines = [
            f"{self.name} ({self.id}): {self.status} {self.kind} - {STATUSES[self.status]}",
            f"  indications: {', '.join(sorted(self.indications)) or 'none'}",
            f"  {self.summary}",
        ]
        lines += [f"  source: {s.authority}, {s.title} ({s.date}) {s.url}" for s in self.sources]
        lines.append(f"  defined at {self.where}")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Knowledge:
    products: dict[str, Product]
    path: str

    def vocabulary(self) -> Vocabulary:
        """``<product>``: every product's names, one concept per product."""
        return Vocabulary(
            "product",
            "Products and therapies in the approved-indications knowledge (rules/_indications.yaml).",
            f"{self.path}:1:1",
            concepts={p.id: p.names for p in self.products.values()},
        )


def load_knowledge(path: Path, conditions: Vocabulary | None) -> Knowledge:
    data = read_yaml(path, "indications knowledge")
    where = Where(str(path), data)
    if not isinstance(data, dict):
        where.fail("the indications knowledge must be a mapping with 'products'")
    check_keys(where, data, {"products"}, {"products"}, "indications knowledge")
    products_data = data["products"]
    pw = where.at("products", data)
    if not isinstance(products_data, dict) or not products_data:
        pw.fail("products must be a mapping of id -> product")
    known_conditions = set(conditions.concepts) if conditions is not None else None
    products: dict[str, Product] = {}
    for pid, body in products_data.items():
        w = pw.at(pid, products_data)
        if not isinstance(pid, str) or not NAME.match(pid):
            pw.key(pid, products_data).fail(f"product id {pid!r} must be lower-case words joined by '-'")
        if not isinstance(body, dict):
            w.fail(f"product '{pid}' must be a mapping")
        label = f"product '{pid}'"
        check_keys(
            w,
            body,
            {"name", "names", "kind", "status", "indications", "summary", "sources", "brands"},
            {"name", "names", "kind", "status", "indications", "summary", "sources"},
            label,
        )
        kind = body["kind"]
        if kind not in KINDS:
            w.at("kind", body).fail(f"{label}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
        status = body["status"]
        if status not in STATUSES:
            w.at("status", body).fail(f"{label}: status must be one of {', '.join(STATUSES)}, not {status!r}")
        indications = body["indications"] or []
        iw = w.at("indications", body)
        if not isinstance(indications, list):
            iw.fail(f"{label}: indications must be a list of condition ids")
        for index, cid in enumerate(indications):
            if known_conditions is not None and cid not in known_conditions:
                iw.item(index, indications).fail(f"{label}: '{cid}' is not a <condition> concept id")
        brands = string_list(w.at("brands", body), body.get("brands", []), f"{label}: brands")
        if status == "brand-only" and not brands:
            w.fail(f"{label}: a brand-only product lists its brands")
        products[pid] = Product(
            id=pid,
            name=string(w.at("name", body), body["name"], f"{label}: name"),
            names=_entries(w.at("names", body), body["names"], label),
            kind=kind,
            status=status,
            indications=frozenset(str(c) for c in indications),
            summary=" ".join(string(w.at("summary", body), body["summary"], f"{label}: summary").split()),
            sources=_sources(w.at("sources", body), body["sources"], label),
            where=str(w),
            brands=tuple(brands),
        )
    for pid, product in products.items():
        for brand in product.brands:
            if brand not in products:
                pw.at(pid, products_data).fail(f"product '{pid}': brand '{brand}' is not a product id")
    return Knowledge(products, str(path))


def _sources(where: Where, value: object, label: str) -> tuple[Source, ...]:
    out = []
    for w, item in mapping_list(where, value, f"{label}: sources", "authority, title, url, date"):
        check_keys(w, item, {"authority", "title", "url", "date", "note"}, {"authority", "title", "url", "date"}, label)
        url = string(w.at("url", item), item["url"], f"{label}: url")
        if not url.startswith(("https://", "http://")):
            w.at("url", item).fail(f"{label}: url must be an http(s) address")
        date = item["date"]
        if isinstance(date, (datetime.date, int)):
            date = str(date)
        date = string(w.at("date", item), date, f"{label}: date")
        out.append(
            Source(
                authority=string(w.at("authority", item), item["authority"], f"{label}: authority"),
                title=string(w.at("title", item), item["title"], f"{label}: title"),
                url=url,
                date=date,
                note=str(item.get("note") or ""),
            )
        )
    return tuple(out)
