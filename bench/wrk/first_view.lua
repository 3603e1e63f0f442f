-- GET the page of the URL as a family sees it the first time: each request
-- adds a parameter no page reads (_vue=N), so that no two requests are the
-- same page and none is served kept (ts_host.page_cache).  With the session
-- cookie BENCH_COOKIE (if any).
dofile(os.getenv("BENCH_WRK") .. "/common.lua")

local cookie = os.getenv("BENCH_COOKIE") or ""
if cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end

local views = 0

function request()
  views = views + 1
  local separator = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. separator .. "_vue=" .. id .. "-" .. views)
end
