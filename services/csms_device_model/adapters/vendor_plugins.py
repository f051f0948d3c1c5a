"""The DataTransfer vendors installed in this Python environment: every `csms.data_transfer_vendors` entry point
names a `Vendor` (docs/extending.md). Imports the vendors' modules; no other I/O."""

from __future__ import annotations

from importlib.metadata import entry_points

from csms_device_model.domain.vendors import Vendor, VendorRegistry

GROUP = "csms.data_transfer_vendors"


class NotAVendor(TypeError):
    """An entry point of the group names something that is not a Vendor."""


def installed_vendors(group: str = GROUP) -> VendorRegistry:
    """The registry of every vendor of the entry point group. Raises NotAVendor, DuplicateVendor: a broken plugin
    stops the service at start, not at a station's first DataTransfer."""
    vendors = []
    for point in sorted(entry_points(group=group), key=lambda p: p.name):
        vendor = point.load()
        if not isinstance(vendor, Vendor):
            raise NotAVendor(f"entry point {point.name} = {point.value} of {group} is not a Vendor")
        vendors.append(vendor)
    return VendorRegistry.of(vendors)
