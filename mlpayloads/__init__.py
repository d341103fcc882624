# SPDX-License-Identifier: MIT
"""Machine-learning payloads: the real bytes CC, FL and FCDDT put on the wire.

Train the paper's models under the three schemes over p fog nodes, serialise every
FN<->cloud message with one wire format (`mlpayloads.wire`), and record its size.
`mlpayloads.table.payload_record` is the entry point for other packages.
"""
