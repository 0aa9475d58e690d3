// Umbrella header: protoc-c's C types for google/protobuf/descriptor.proto,
// which summit-protogen uses to read descriptor sets.
#pragma once
#include "google/protobuf/descriptor.pb-c.h"
