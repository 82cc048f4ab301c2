-- (f) Mixed profile, 80% reads and 20% writes: of every 10 requests, 4 list the first page,
-- 4 read one task, 1 creates a task and 1 changes one.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local ids
local n
local list

function init(args)
  ids = task_ids()
  n = start_offset(#ids)
  list = wrk.format("GET", "/api/v1/tasks")
end

function request()
  n = n + 1
  local slot = n % 10
  if slot == 4 then
    return create_request(n)
  elseif slot == 9 then
    return update_request(ids[n % #ids + 1], n)
  elseif slot % 2 == 0 then
    return list
  else
    return wrk.format("GET", "/api/v1/tasks/" .. ids[n % #ids + 1])
  end
end
