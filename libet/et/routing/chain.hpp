#pragma once
/// Resolving a role (or an explicit model reference) into the ordered list of
/// deployments to try, each with the exact request it gets. Requests are built
/// once here and never changed between attempts.

#include <string>
#include <vector>

#include "et/config/settings.hpp"
#include "et/llm/chat.hpp"
#include "et/util/result.hpp"

namespace et::routing {

/// Where a request goes: a provider and one of its models.
struct deployment {
  std::string alias;    ///< the alias it came from ("" for a direct provider/model)
  std::string provider; ///< key under `providers`
  std::string model;    ///< the provider's model id
  std::string node;     ///< remote node for alias@node ("" = local)
  /// "alias (provider/model)" or "provider/model".
  std::string label() const;
  /// The identity cooldowns count against: provider/model (or alias@node).
  std::string key() const;
  bool operator==(const deployment&) const = default;
};

/// One entry of a fallback chain.
struct candidate {
  deployment where;     ///< the target
  chat_request request; ///< the request as sent to it
  /// > 0: a member of the role's pool taking this many at once; the pool's
  /// members lead the chain and the router orders them by load (balance.hpp).
  int pool_capacity = 0;
};

/// Resolves one reference (alias, alias@node, provider/model) for `role`,
/// applying options with the precedence: explicit request field, role,
/// alias, defaults. The request's model is the provider's model id, or for
/// alias@node the alias, which the node resolves.
result<candidate> resolve_reference(const config::settings& s, const config::role& role,
                                    const std::string& ref, const chat_request& base);

/// The chain of `role` (its pool's members, then its model, then its
/// fallbacks; `defaults` for a role without configuration), or just `target`
/// when it is given. Duplicates are removed (the first place counts); an empty
/// chain is a failure naming the role.
result<std::vector<candidate>> resolve_chain(const config::settings& s, const std::string& role,
                                             const std::string& target, const chat_request& base);

} // namespace et::routing
