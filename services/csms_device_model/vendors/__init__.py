"""DataTransfer vendors shipped with the CSMS, registered through the `csms.data_transfer_vendors` entry points."""
