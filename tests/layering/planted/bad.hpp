// A file that breaks the layering on purpose: CheckLayering.cmake must reject it.
#pragma once
#include "caf/actor.hpp"
