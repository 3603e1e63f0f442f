-- POST the login form: each line of BENCH_LOGINS is a session cookie, a tab
-- and a form body (a dealt keypad, its positions, the CSRF token) for one
-- account.  Consecutive requests use different accounts, so the concurrent
-- logins write to different accounts, as when many families log in at once.
dofile(os.getenv("BENCH_WRK") .. "/common.lua")

local requests = {}
local next_index = 0

function init(args)
  for line in io.lines(os.getenv("BENCH_LOGINS")) do
    local cookie, body = line:match("^([^\t]*)\t(.*)$")
    table.insert(requests, wrk.format("POST", nil, {
      ["Cookie"] = cookie,
      ["Content-Type"] = "application/x-www-form-urlencoded",
    }, body))
  end
  next_index = id or 0
end

function request()
  next_index = next_index % #requests + 1
  return requests[next_index]
end
