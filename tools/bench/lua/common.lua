-- Shared by the scripts that build their own requests: JSON bodies, the benchmark user's
-- task ids (BENCH_TASK_IDS, one per line) and a start offset per wrk thread, so threads
-- walk different ids and never wait on each other's row locks.
dofile(os.getenv("BENCH_LUA_DIR") .. "/result.lua")

CREATED_PREFIX = "bench-created"  -- tools/bench/seed.py removes these before each scenario

local threads = 0
function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

-- wrk.format() uses the headers it is given instead of wrk.headers (the -H options, such as
-- Authorization), so JSON requests carry a merged copy.
local json_headers
local function json()
  if not json_headers then
    json_headers = { ["Content-Type"] = "application/json" }
    for name, value in pairs(wrk.headers) do
      json_headers[name] = value
    end
  end
  return json_headers
end

function task_ids()
  local ids = {}
  for line in io.lines(os.getenv("BENCH_TASK_IDS")) do
    ids[#ids + 1] = line
  end
  return ids
end

function start_offset(count)
  local total = tonumber(os.getenv("BENCH_WRK_THREADS")) or 1
  return math.floor(count * thread_index / total)
end

function create_request(n)
  local body = string.format(
    '{"title": "%s %d-%d", "description": "Written by the load benchmark.", "priority": "high", '
      .. '"due_at": "2027-01-15T09:00:00Z", "tags": ["bench", "load"]}',
    CREATED_PREFIX, thread_index, n)
  return wrk.format("POST", wrk.path, json(), body)  -- the scenario's path: the service's, or the floor's
end

function update_request(id, n)
  local body = string.format('{"description": "Edited by the load benchmark, round %d.", "tags": ["bench"]}', n)
  return wrk.format("PATCH", "/api/v1/tasks/" .. id, json(), body)
end
