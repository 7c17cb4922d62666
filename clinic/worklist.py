"""The "work waiting" strip at the top of each role's home: counts, each linking to the
list where that work is done. The apps that own the work compute the counts (selectors);
this is only their shape."""

from dataclasses import dataclass


@dataclass(frozen=True)
class WorkItem:
    key: str  # stable name for the API: "unsigned_orders", "escorts_tomorrow", ...
    label: str
    count: int
    url: str

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "count": self.count, "url": self.url}
