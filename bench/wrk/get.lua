-- GET the page of the URL, with the session cookie BENCH_COOKIE (if any).
dofile(os.getenv("BENCH_WRK") .. "/common.lua")

local cookie = os.getenv("BENCH_COOKIE") or ""
if cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
