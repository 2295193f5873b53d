"""bregnet's files from Python: models, data, inversions and histories with their checksums,
a NumPy forward pass, PyTorch and ONNX conversion.  Pure Python on numpy and h5py; torch only
for to_torch / from_torch / export_onnx.  See docs/python.md in the repository."""
from .activations import Activation, parse as parse_activation
from .checksum import checksum_array
from .data import Split, load_fmnist, read_data, write_data
from .h5file import FORMAT, BregnetFileError, ChecksumError, read_group, seal_status, verify_file, verify_metadata
from .inversion import Inversion, read_inversion, read_measurements, write_inversion, write_measurements
from .model import Conv, Layer, Model, read_model, write_model
from .predictions import read_predictions
from .tables import read_csv, read_history, read_scaling_csv
from .torch_io import export_onnx, from_torch, to_torch

__version__ = "0.1.0"

__all__ = [
    "Activation", "parse_activation", "checksum_array", "Split", "load_fmnist", "read_data", "write_data",
    "FORMAT", "BregnetFileError", "ChecksumError", "read_group", "seal_status", "verify_file", "verify_metadata", "Inversion", "read_inversion",
    "read_measurements", "write_inversion", "write_measurements", "Conv", "Layer", "Model", "read_model",
    "write_model", "read_predictions", "read_csv", "read_history", "read_scaling_csv", "export_onnx", "from_torch", "to_torch",
]
