// Detection's learned state across restarts (issue #20: a restart must not give an attacker a
// fresh start): each rule's (Rule::SaveState: baselines, where users sign in from, devices'
// homes) and the devices' normals per vital sign (ReadingPipeline::SaveTrends), kept in the
// store by name (AlertStore::PutDetectionState) every minute and when the hub stops, and read
// back when it starts. Windows of a minute are not kept; blocks, holds and quarantines are
// in the store already.
#pragma once

#include <memory>
#include <vector>

#include "detect/detection_engine.h"
#include "detect/rules.h"
#include "ingest/pipeline.h"
#include "store/alert_store.h"

namespace vigil::server {

// The default rules, each given the state it saved before (none on a new hub).
std::vector<std::unique_ptr<detect::Rule>> RestoredRules(const DetectOptions& options,
                                                         store::AlertStore& store);

// What the detection engine calls to keep a rule's state (failures are logged, a line a minute).
detect::DetectionEngine::SaveState StateSaver(store::AlertStore& store);

// The pipeline's devices' normals, read back and kept.
void RestoreVitalTrends(ingest::ReadingPipeline& pipeline, store::AlertStore& store);
void SaveVitalTrends(ingest::ReadingPipeline& pipeline, store::AlertStore& store);

}  // namespace vigil::server
