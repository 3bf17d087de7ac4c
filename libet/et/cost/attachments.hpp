#pragma once
/// Tokens an image or a PDF document is estimated to take before the answer's usage says, so
/// that budgets and key limits reserved before a request hold. Providers bill an image by its
/// size and a PDF by its pages (each page's text and its picture): et sees neither the pixels
/// nor, always, the pages, so each estimate leans high; the answer's usage settles the cost.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "et/llm/chat.hpp"

namespace et::cost {

/// Tokens an image is estimated to take: about the most a provider bills one. Gemini 2 bills
/// 258 a 768-pixel tile (a 4K screenshot, 3,870), OpenAI's patch-based models up to about
/// 3,800 (gpt-4.1-nano), Claude about 1,600.
inline constexpr int64_t image_token_estimate = 4'000;

/// Tokens a PDF page is estimated to take: the top of the 1,500 to 3,000 Anthropic documents
/// (each page's text and its picture; OpenAI and Gemini bill alike).
inline constexpr int64_t pdf_page_token_estimate = 3'000;

/// Pages a link to a PDF is estimated to have: its size is unknown.
inline constexpr std::size_t unseen_link_pages = 10;

/// Base64 bytes a page is estimated to take where a PDF's pages are out of sight (compressed
/// into object streams): 4.5 KiB of PDF, a typeset page of text (a LaTeX book of 300 pages is
/// about 1.5 MB).
inline constexpr std::size_t base64_bytes_a_page = 6 << 10;

/// Pages a PDF given as base64 `data` is estimated to have, decoded `piece` base64 characters
/// (a multiple of 4) at a time: the most of its page objects ("/Type /Page"), the count a
/// linearized PDF states, and, where pages may be out of sight (object streams, or no page
/// object found), one per base64_bytes_a_page, but no more than the objects the PDF says it has
/// (`/Size`: every page is an object of its own); at least 1. Costs a pass over `data`: done
/// once, when a request is read.
std::size_t estimate_pdf_pages(std::string_view data, std::size_t piece = 64 << 10);

/// Tokens `i` is estimated to take: an image's image_token_estimate, or a document's pages at
/// pdf_page_token_estimate each (its `pages` when known; else unseen_link_pages for a link, or
/// one per base64_bytes_a_page of its data, without reading it).
int64_t estimate_attachment_tokens(const image& i);

} // namespace et::cost
