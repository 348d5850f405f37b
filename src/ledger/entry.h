// Ledger entries: canonical, versioned records of security events (docs/ledger.md).
//
// Encoding (version 1): 0x01 || type (u8) || time_ms (i64 BE) || field count (u8) || fields,
// each: name length (u8) || name || value length (u32 BE) || value; fields sorted by name, so
// an entry has exactly one encoding. Version 2 (every entry appended since session 8) is
// 0x02 || salt (16 random bytes) || the rest as version 1: its leaf hash, which outsiders see,
// then reveals nothing about its low-entropy content to anyone without the entry itself.
// Version 3 (since session 10) is version 2 with 0x03 first, and the tree commits to it through
// its leaf data 0x03 || SHA-256(entry) instead of the entry: that commitment is public (tlog-tiles
// entry bundles, proofs), the entry and its salt stay with the hub's auditors.
// Entries carry ids, reasons and digests, never health data.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "events/audit_record.h"
#include "ledger/merkle.h"
#include "store/reading_rows.h"

namespace vigil::ledger {

// The record types and records themselves are the audit vocabulary (events/audit_record.h);
// this file is their canonical encoding.
using EntryType = events::AuditType;
using LedgerEntry = events::AuditRecord;
using events::AuditTypeName;
inline std::string_view EntryTypeName(EntryType type) { return AuditTypeName(type); }

inline constexpr size_t kEntrySaltBytes = 16;

std::string EncodeEntry(const LedgerEntry& entry);

// What the Merkle tree hashes as the leaf of `entry`: for version 3, 0x03 || SHA-256(entry) (33
// bytes, which reveal nothing of the entry: anyone may see them); for versions 1 and 2 the
// entry itself (their leaf hashes were already public, their bytes never are).
std::string LeafData(std::string_view entry);
// Whether LeafData(entry) may be shown to anyone (a version-3 commitment).
bool HasPublicLeaf(std::string_view entry);
// The RFC 9162 leaf hash of `entry`: SHA-256(0x00 || LeafData(entry)).
Hash EntryLeafHash(std::string_view entry);
// InvalidArgument for anything that is not a canonical encoding (version 1, 2 or 3).
Result<LedgerEntry> DecodeEntry(std::string_view bytes);
// The same checks without building the entry (verification of millions): its type.
Result<EntryType> CheckEntry(std::string_view bytes);

// SHA-256 over a batch's rows in a fixed order (receipts by device then seq; Observations by
// id), each field length-prefixed: what a reading-batch entry records, and what verification
// recomputes from the stored rows. Observations are taken from `receipts[i].observations` and
// from `observations`, whichever is given.
std::string BatchDigest(std::span<const store::ReadingCommit> receipts,
                        std::span<const store::SealedObservation> observations);

}  // namespace vigil::ledger
