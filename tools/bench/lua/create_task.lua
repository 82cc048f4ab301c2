-- (d) POST /api/v1/tasks: a new task per request.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local n = 0

function request()
  n = n + 1
  return create_request(n)
end
