#pragma once
/// What a client's `model` names: a configured role (its chain), an alias, or
/// provider/model, and the list GET /v1/models shows.

#include <string>
#include <string_view>
#include <vector>

#include "et/config/settings.hpp"
#include "et/gateway/response.hpp"
#include "et/util/result.hpp"

namespace et::gateway {

/// The role the ledger, budgets and role options see for requests that name
/// an alias or provider/model: configure a role of this name to give them
/// options (max_tokens, temperature) of their own.
inline constexpr std::string_view gateway_role = "gateway";

/// How the router is asked: by role (target "") or by explicit target.
struct route {
  std::string role;   ///< a configured role, or gateway_role
  std::string target; ///< alias, alias@node or provider/model ("" = the role's chain)
};

/// Resolves `model`: a configured role first, then an alias, then
/// provider/model with a configured provider, then alias@node with a
/// configured node. Otherwise not_found naming it, with a did-you-mean.
result<route> route_model(const config::settings& s, const std::string& model);

/// Aliases, then roles, each in name order.
std::vector<offered_model> offered_models(const config::settings& s);

} // namespace et::gateway
