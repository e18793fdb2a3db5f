-- A script luacheck must refuse: a global it never defines, a local it never uses.
local unused = 1
return KEY.stream .. undefined_name
