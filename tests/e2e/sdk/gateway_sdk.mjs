// The official OpenAI and Anthropic SDKs against `et serve --http` (see
// gateway_sdk.test.cpp, which starts the gateway and sets ET_GATEWAY): whole
// and streamed answers, model lists, errors, and a stream cut after its first
// text, which each SDK must surface as an error rather than a finished answer.
// With ET_GATEWAY_KEY set (the gateway then has keys) both SDKs send it, and a
// wrong key must surface as each SDK's AuthenticationError.
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

const base = process.env.ET_GATEWAY;
const apiKey = process.env.ET_GATEWAY_KEY ?? 'unused';
const messages = [{ role: 'user', content: 'hello sdk' }];
let failures = 0;

function check(ok, what) {
  if (!ok) {
    failures++;
    console.log(`FAILED: ${what}`);
  } else {
    console.log(`ok: ${what}`);
  }
}

async function rejects(f, what, test) {
  try {
    await f();
    check(false, `${what} (no error)`);
  } catch (e) {
    check(test(e), `${what} (${e.constructor.name} ${e.status ?? ''}: ${e.message})`);
  }
}

if (process.env.ET_GATEWAY_KEY) {
  const wrongOa = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'et-wrong', maxRetries: 0 });
  await rejects(() => wrongOa.chat.completions.create({ model: 'gpt', messages }),
    'openai wrong key', (e) => e instanceof OpenAI.AuthenticationError && e.status === 401);
  const wrongAn = new Anthropic({ baseURL: base, apiKey: 'et-wrong', maxRetries: 0 });
  await rejects(() => wrongAn.messages.create({ model: 'claude', max_tokens: 64, messages }),
    'anthropic wrong key', (e) => e instanceof Anthropic.AuthenticationError && e.status === 401
      && e.error?.error?.type === 'authentication_error');
}

const oa = new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0 });
const whole = await oa.chat.completions.create({ model: 'gpt', messages });
check(whole.choices[0].message.content === 'hello sdk', 'openai whole text');
check(whole.choices[0].finish_reason === 'stop', 'openai finish_reason');
check(whole.usage.total_tokens > 0, 'openai usage');

let text = '';
let usage;
const stream = await oa.chat.completions.create({
  model: 'claude', messages, stream: true, stream_options: { include_usage: true },
});
for await (const c of stream) {
  if (c.choices[0]?.delta?.content) text += c.choices[0].delta.content;
  if (c.usage) usage = c.usage;
}
check(text === 'hello sdk', `openai streamed text on an Anthropic upstream: "${text}"`);
check(usage && usage.completion_tokens > 0, 'openai streamed usage');

// Structured answers: parse() sends response_format json_schema and parses the content as JSON
// (the fake upstream answers {"answer": ...} when asked for JSON in its protocol's words).
const shaped = await oa.chat.completions.parse({
  model: 'claude', messages,
  response_format: { type: 'json_schema', json_schema: { name: 'reply', strict: true, schema: {
    type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'],
    additionalProperties: false } } },
});
check(shaped.choices[0].message.parsed?.answer === 'hello sdk',
  `openai parse() on an Anthropic upstream: ${JSON.stringify(shaped.choices[0].message)}`);

const models = [];
for await (const m of oa.models.list()) models.push(m.id);
check(models.includes('gpt') && models.includes('coder'), `openai models: ${models}`);

await rejects(() => oa.chat.completions.create({ model: 'nope', messages }), 'openai unknown model',
  (e) => e.status === 404);
await rejects(() => oa.chat.completions.create({ model: 'gpt', messages, temprature: 1 }),
  'openai unknown field', (e) => e.status === 400 && /temprature/.test(e.message));
await rejects(async () => {
  const s = await oa.chat.completions.create({ model: 'cutrole', messages, stream: true });
  for await (const c of s) { /* the first text, then the error */ }
}, 'openai stream cut after its first text', (e) => /stream_interrupted|failed mid-answer/.test(e.message));

const an = new Anthropic({ baseURL: base, apiKey, maxRetries: 0 });
const msg = await an.messages.create({
  model: 'gpt', max_tokens: 64, system: 'be brief', stop_sequences: ['ZZZ'], messages,
});
check(msg.content[0].text === 'hello sdk', 'anthropic whole text on an OpenAI upstream');
check(msg.stop_reason === 'end_turn', 'anthropic stop_reason');
check(msg.usage.output_tokens > 0, 'anthropic usage');

const s = an.messages.stream({ model: 'llama', max_tokens: 64, messages });
let deltas = '';
s.on('text', (t) => { deltas += t; });
const final = await s.finalMessage();
check(final.content[0].text === 'hello sdk' && deltas === 'hello sdk',
  `anthropic streamed text on an Ollama upstream: "${deltas}"`);
check(final.usage.output_tokens > 0, 'anthropic streamed usage');
check(final.stop_reason === 'end_turn', 'anthropic streamed stop_reason');

const anModels = [];
for await (const m of an.models.list()) anModels.push(m.id);
check(anModels.includes('claude'), `anthropic models: ${anModels}`);

await rejects(() => an.messages.create({ model: 'gpt', messages }), 'anthropic missing max_tokens',
  (e) => e.status === 400 && /max_tokens/.test(e.message));
await rejects(() => an.messages.create({ model: 'busy', max_tokens: 8, messages }),
  'anthropic overloaded', (e) => e.status === 529);
await rejects(() => an.messages.stream({ model: 'cutrole2', max_tokens: 64, messages }).finalMessage(),
  'anthropic stream cut after its first text', (e) => /failed mid-answer|api_error/.test(e.message));

// Tool calls, streamed and whole, then the results back, through each SDK.
const oaTools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
const called = await oa.chat.completions.create({ model: 'claudetool', messages, tools: oaTools });
const call = called.choices[0].message.tool_calls?.[0];
check(call?.function.name === 'get_weather' && JSON.parse(call.function.arguments).city === 'Oslo',
  'openai tool call on an Anthropic upstream');
check(called.choices[0].finish_reason === 'tool_calls', 'openai tool finish_reason');
let streamedArgs = '';
for await (const c of await oa.chat.completions.create({ model: 'gpttool', messages, tools: oaTools, stream: true })) {
  const d = c.choices[0]?.delta?.tool_calls?.[0];
  if (d?.function?.arguments) streamedArgs += d.function.arguments;
}
check(JSON.parse(streamedArgs || '{}').days === 3, `openai streamed tool call: ${streamedArgs}`);
const answered = await oa.chat.completions.create({
  model: 'gpt', tools: oaTools,
  messages: [...messages, called.choices[0].message, { role: 'tool', tool_call_id: call.id, content: 'sunny' }],
});
check(answered.choices[0].message.content.length > 0, 'openai tool result accepted');

const anTools = [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }];
const used = await an.messages.stream({ model: 'gpttool', max_tokens: 64, messages, tools: anTools }).finalMessage();
const use = used.content.find((b) => b.type === 'tool_use');
check(use?.name === 'get_weather' && use.input.city === 'Oslo' && used.stop_reason === 'tool_use',
  `anthropic streamed tool_use on an OpenAI upstream: ${JSON.stringify(used.content)}`);
const replied = await an.messages.create({
  model: 'claude', max_tokens: 64, tools: anTools,
  messages: [...messages, { role: 'assistant', content: used.content },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny' }] }],
});
check(replied.content[0].type === 'text', 'anthropic tool result accepted');

// Thinking: the OpenAI SDK keeps reasoning_content and takes the message back; the Anthropic SDK
// reads thinking blocks whole and streamed, and takes them back in the next turn.
const thought = 'Weighing it up.';
const reasoned = await oa.chat.completions.create({ model: 'gemthink', messages });
check(reasoned.choices[0].message.reasoning_content === thought
  && reasoned.choices[0].message.content === 'hello sdk', 'openai reasoning_content on a Gemini upstream');
let reasoning = '';
for await (const c of await oa.chat.completions.create({ model: 'llamathink', messages, stream: true })) {
  if (c.choices[0]?.delta?.reasoning_content) reasoning += c.choices[0].delta.reasoning_content;
}
check(reasoning === thought, `openai streamed reasoning_content on an Ollama upstream: "${reasoning}"`);
const after = await oa.chat.completions.create({
  model: 'gpt', messages: [...messages, reasoned.choices[0].message, { role: 'user', content: 'more' }],
});
check(after.choices[0].message.content === 'more', 'openai message with reasoning_content sent back');
const effortful = await oa.chat.completions.create({ model: 'claudebudget', messages, reasoning_effort: 'low', max_tokens: 4096 });
check(effortful.choices[0].message.reasoning_content === 'Thinking it over.',
  `openai reasoning_effort makes a Claude model think: ${JSON.stringify(effortful.choices[0].message)}`);

const thinking = { type: 'enabled', budget_tokens: 1024 };
const pondered = await an.messages.stream({ model: 'gptthink', max_tokens: 2048, thinking, messages })
  .finalMessage();
check(pondered.content[0]?.type === 'thinking' && pondered.content[0].thinking === thought
  && pondered.content[1]?.text === 'hello sdk',
  `anthropic streamed thinking on an OpenAI upstream: ${JSON.stringify(pondered.content)}`);
const onward = await an.messages.create({
  model: 'claudethink', max_tokens: 2048, thinking: { type: 'adaptive' },
  messages: [...messages, { role: 'assistant', content: pondered.content }, { role: 'user', content: 'more' }],
});
check(onward.content[0]?.type === 'thinking' && onward.content[1]?.text === 'more',
  `anthropic thinking sent back, whole thinking on an Anthropic upstream: ${JSON.stringify(onward.content)}`);

// Token counting as Claude Code asks it (its beta client adds ?beta=true): counted upstream by
// models that can, refused with Anthropic's 400 by models that cannot.
const counted = await an.messages.countTokens({ model: 'claude', system: 'be brief', messages });
check(counted.input_tokens === 4, `anthropic countTokens: ${JSON.stringify(counted)}`);
const betaCounted = await an.beta.messages.countTokens({ model: 'gem', messages });
check(betaCounted.input_tokens === 2, `anthropic beta countTokens on Gemini: ${JSON.stringify(betaCounted)}`);
await rejects(() => an.messages.countTokens({ model: 'gpt', messages }),
  'anthropic countTokens on a model that cannot count',
  (e) => e instanceof Anthropic.BadRequestError && /token-counting/.test(e.message));

// The Responses API, as Codex speaks it: whole and streamed text from other protocols, function
// tools both ways, and a stream cut after its first text surfacing as an error.
const resp = await oa.responses.create({ model: 'claude', input: 'hello sdk' });
check(resp.output_text === 'hello sdk' && resp.status === 'completed' && resp.usage.output_tokens > 0,
  `responses whole text on an Anthropic upstream: ${JSON.stringify(resp.output)}`);
const rstream = oa.responses.stream({ model: 'gem', instructions: 'be brief', input: [{ role: 'user', content: 'hello sdk' }] });
let rdeltas = '';
for await (const ev of rstream) if (ev.type === 'response.output_text.delta') rdeltas += ev.delta;
const rfinal = await rstream.finalResponse();
check(rdeltas === 'hello sdk' && rfinal.output_text === 'hello sdk' && rfinal.status === 'completed'
  && rfinal.usage.input_tokens > 0, `responses streamed text on a Gemini upstream: "${rdeltas}" ${JSON.stringify(rfinal.usage)}`);
const rTools = [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }];
const rcalled = await oa.responses.create({ model: 'claudetool', input: 'weather?', tools: rTools });
const rcall = rcalled.output.find((i) => i.type === 'function_call');
check(rcall?.name === 'get_weather' && JSON.parse(rcall.arguments).city === 'Oslo',
  `responses function call on an Anthropic upstream: ${JSON.stringify(rcalled.output)}`);
const rstreamedCall = await oa.responses.stream({ model: 'gpttool', input: 'weather?', tools: rTools }).finalResponse();
const rs = rstreamedCall.output.find((i) => i.type === 'function_call');
check(JSON.parse(rs?.arguments ?? '{}').days === 3, `responses streamed function call: ${JSON.stringify(rstreamedCall.output)}`);
const ranswered = await oa.responses.create({
  model: 'gpt', tools: rTools,
  input: [{ role: 'user', content: 'weather?' }, ...rcalled.output,
    { type: 'function_call_output', call_id: rcall.call_id, output: 'sunny' }],
});
check(ranswered.output_text.length > 0, `responses function output accepted: ${JSON.stringify(ranswered.output)}`);
const patchTool = [{ type: 'custom', name: 'apply_patch', description: 'Edit files.',
  format: { type: 'grammar', syntax: 'lark', definition: 'start: "*** Begin Patch" /(.|\\n)*/' } }];
const patched = await oa.responses.stream({ model: 'gptpatch', input: 'fix it', tools: patchTool }).finalResponse();
const pcall = patched.output.find((i) => i.type === 'custom_tool_call');
// The fake calls it with {"city":"Oslo","days":3}: not one input, so the whole text goes on.
check(pcall?.name === 'apply_patch' && pcall.input === '{"city":"Oslo","days":3}',
  `responses custom tool call, streamed: ${JSON.stringify(patched.output)}`);
await rejects(() => oa.responses.create({ model: 'gpt', input: 'hi', previous_response_id: 'resp_1' }),
  'responses previous_response_id', (e) => e.status === 400 && /stores no responses/.test(e.message));
await rejects(() => oa.responses.stream({ model: 'cutrole3', input: 'hi' }).finalResponse(),
  'responses stream cut after its first text', (e) => /failed mid-answer|server_error|stream_interrupted/.test(e.message));

console.log(failures === 0 ? 'ALL OK' : `${failures} FAILED`);
process.exit(failures === 0 ? 0 : 1);
