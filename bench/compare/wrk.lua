-- wrk script for bench/compare: prints one JSON line of results at the end.
--
-- Reads:       wrk -s wrk.lua URL
-- Submissions: wrk -s wrk.lua URL -- post PATH_FORMAT BODY_FIELD NAME_FIELD
--   PATH_FORMAT has one %04d, filled with a story number 0..999 so the comments spread over the
--   1,000 seeded stories; BODY_FIELD/NAME_FIELD name the JSON fields ("body"/"display_name" for
--   Voxpop, "text"/"author" for Isso). Every body is different (thread id and counter in it).

local counter = 0
local mode, path_format, body_field, name_field
local threads = {}
local words = {"harbour", "bus", "timetable", "council", "ferry", "winter", "school", "market", "library",
               "island", "night", "route", "bridge", "station", "fare", "driver"}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1] or "get"
  if mode == "post" then
    path_format, body_field, name_field = args[2], args[3], args[4]
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    math.randomseed(id * 7919)
  end
end

function request()
  if mode ~= "post" then
    return wrk.format()
  end
  counter = counter + 1
  local text = {}
  for i = 1, 12 do
    text[i] = words[math.random(#words)]
  end
  local body = string.format('{"%s": "Comment %d-%d: %s.", "%s": "Reader %d"}',
    body_field, id, counter, table.concat(text, " "), name_field, counter % 97)
  local path = string.format(path_format, math.random(0, 999))
  return wrk.format(nil, path, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "errors_connect": %d, "errors_read": %d, ' ..
    '"errors_write": %d, "errors_status": %d, "errors_timeout": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
