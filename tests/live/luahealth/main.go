// luahealth runs an Argo CD resource health script with gopher-lua, the Lua 5.1 interpreter Argo
// CD embeds: `luahealth SCRIPT.lua OBJECT.json` sets the global `obj` to the object (JSON
// converted to Lua tables, numbers as Lua numbers, as Argo CD does), runs the script and prints
// the table it returns as JSON ({"status": ..., "message": ...}). Used by
// tests/argocd_health_live.rs; built by scripts/live/lua-health.sh.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	lua "github.com/yuin/gopher-lua"
)

func toLua(L *lua.LState, v interface{}) lua.LValue {
	switch x := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(x)
	case float64:
		return lua.LNumber(x)
	case string:
		return lua.LString(x)
	case []interface{}:
		t := L.NewTable()
		for _, e := range x {
			t.Append(toLua(L, e))
		}
		return t
	case map[string]interface{}:
		t := L.NewTable()
		for k, e := range x {
			t.RawSetString(k, toLua(L, e))
		}
		return t
	}
	return lua.LNil
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: luahealth SCRIPT.lua OBJECT.json")
		os.Exit(2)
	}
	script, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var obj interface{}
	if err := json.Unmarshal(data, &obj); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	L := lua.NewState()
	defer L.Close()
	L.SetGlobal("obj", toLua(L, obj))
	if err := L.DoString(string(script)); err != nil {
		fmt.Fprintln(os.Stderr, "lua:", err)
		os.Exit(1)
	}
	ret, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		fmt.Fprintln(os.Stderr, "the script returned no table")
		os.Exit(1)
	}
	out := map[string]string{}
	ret.ForEach(func(k, v lua.LValue) { out[k.String()] = v.String() })
	enc, _ := json.Marshal(out)
	fmt.Println(string(enc))
}
