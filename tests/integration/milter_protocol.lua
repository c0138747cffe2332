-- milter_protocol.lua - milter-attach over the milter protocol (miltertest)
--
-- miltertest -D sock=unix:/path -D limit=N -s milter_protocol.lua
-- The milter is started by the caller (test_milter_protocol.sh) with
-- size_limit = N.  Each case plays one SMTP transaction and checks the
-- reply: SIZE= at MAIL, the exact RFC 1870 byte count at the limit and
-- one byte over, a banned attachment with '%' in its name, a clean one.

local function conn()
  local c = mt.connect(sock, 40, 0.25) or error("cannot connect to " .. sock)
  return c
end

local function check(cond, what)
  if not cond then error("FAILED: " .. what) end
  print("ok - " .. what)
end

-- message of exactly n bytes as counted by RFC 1870: headers (with the
-- space after the colon) + CRLF + body with CRLF line ends
local function send_sized(c, n)
  mt.macro(c, SMFIC_MAIL, "i", "QSIZE")
  assert(mt.mailfrom(c, "<s@example.org>") == nil)
  assert(mt.rcptto(c, "<r@mailguard.test>") == nil)
  assert(mt.header(c, "Subject", "size") == nil)     -- miltertest adds the space: 15
  assert(mt.eoh(c) == nil)                            -- 2
  local body_len = n - 17
  local line = string.rep("a", 98) .. "\r\n"          -- 100 bytes a line
  local body = string.rep(line, body_len // 100) .. string.rep("b", body_len % 100)
  assert(mt.bodystring(c, body) == nil)
  -- over the limit the milter answers the body chunk itself
  if mt.getreply(c) == SMFIR_REPLYCODE then return SMFIR_REPLYCODE end
  assert(mt.eom(c) == nil)
  return mt.getreply(c)
end

local lim = tonumber(limit)

-- 1. SIZE= over the limit: refused at MAIL FROM with 552
local c = conn()
mt.macro(c, SMFIC_MAIL, "i", "QMAIL")
assert(mt.mailfrom(c, "<s@example.org>", "SIZE=" .. (lim + 1)) == nil)
check(mt.getreply(c) == SMFIR_REPLYCODE, "SIZE=limit+1 refused at MAIL")
mt.disconnect(c)

-- 2. SIZE= equal to the limit: continues
c = conn()
assert(mt.mailfrom(c, "<s@example.org>", "SIZE=" .. lim) == nil)
check(mt.getreply(c) == SMFIR_CONTINUE, "SIZE=limit accepted at MAIL")
mt.disconnect(c)

-- 3. exactly the limit in real bytes: accepted
c = conn()
check(send_sized(c, lim) == SMFIR_ACCEPT, "message of exactly limit bytes accepted")
mt.disconnect(c)

-- 4. one byte over in real bytes (SIZE= absent): 552
c = conn()
local r = send_sized(c, lim + 1)
check(r == SMFIR_REPLYCODE, "message of limit+1 bytes refused")
mt.disconnect(c)

-- 5. a banned attachment whose name has a '%': 550 5.7.1 naming it
c = conn()
mt.macro(c, SMFIC_MAIL, "i", "QEXE")
assert(mt.mailfrom(c, "<s@example.org>") == nil)
assert(mt.rcptto(c, "<r@mailguard.test>") == nil)
assert(mt.header(c, "MIME-Version", "1.0") == nil)
assert(mt.header(c, "Content-Type", "multipart/mixed; boundary=\"b\"") == nil)
assert(mt.eoh(c) == nil)
assert(mt.bodystring(c, "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\n" ..
  "Content-Type: application/octet-stream; name=\"100%.exe\"\r\n" ..
  "Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n--b--\r\n") == nil)
assert(mt.eom(c) == nil)
check(mt.getreply(c) == SMFIR_REPLYCODE and
      mt.eom_check(c, MT_SMTPREPLY, "550", "5.7.1",
        "Piece jointe interdite \"100%%.exe\" (extension .exe): les pieces " ..
        "jointes executables (.exe .com .pif .reg .scr .vbs), y compris dans " ..
        "une archive, sont interdites par la charte de messagerie"),
      "banned .exe refused with 550 5.7.1 naming the file, % doubled")
mt.disconnect(c)

-- 6. a harmless attachment: accepted; two messages on one connection
c = conn()
for i = 1, 2 do
  assert(mt.mailfrom(c, "<s@example.org>") == nil)
  assert(mt.rcptto(c, "<r@mailguard.test>") == nil)
  assert(mt.header(c, "Content-Type", "multipart/mixed; boundary=\"b\"") == nil)
  assert(mt.eoh(c) == nil)
  assert(mt.bodystring(c, "--b\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n\r\n%PDF-1.4\r\n--b--\r\n") == nil)
  assert(mt.eom(c) == nil)
  check(mt.getreply(c) == SMFIR_ACCEPT, "harmless attachment accepted (message " .. i .. ")")
end
mt.disconnect(c)
