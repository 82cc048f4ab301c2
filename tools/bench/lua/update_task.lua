-- (e) PATCH /api/v1/tasks/{id}: the benchmark user's seeded tasks in turn.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local ids
local n

function init(args)
  ids = task_ids()
  n = start_offset(#ids)
end

function request()
  n = n + 1
  return update_request(ids[n % #ids + 1], n)
end
