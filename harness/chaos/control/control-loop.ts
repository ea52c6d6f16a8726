// The Erlang side of the control channel, passed to `erl -eval`: one request per line on stdin,
// `<id> <node> <timeout-ms> <expression>`, evaluated on <node> with rpc:call (erl_eval there, so the
// expression may use any module the broker has loaded), one reply per line on stdout:
// `<id> ok <result>` or `<id> error <reason>`, the term printed as rabbitmqctl eval prints it (~p), on
// one line. Each request runs in its own process, so a slow one (a node that is restarting) holds up
// no other; io:put_chars is one request to the io server, so replies never interleave.
// stdin closing (the harness exited, however) halts the node: it never outlives its owner.

const LOOP = String.raw`
io:setopts(standard_io, [binary, {encoding, unicode}]),
OneLine = fun(Term) -> re:replace(io_lib:format("~tp", [Term]), "\\s*\\n\\s*", " ", [global, unicode, {return, binary}]) end,
Reply = fun(Id, Status, Term) -> io:put_chars(standard_io, [Id, " ", Status, " ", OneLine(Term), "\n"]) end,
Run = fun(Id, Node, Timeout, Expr) ->
  try
    {ok, Tokens, _} = erl_scan:string(unicode:characters_to_list(Expr)),
    {ok, Exprs} = erl_parse:parse_exprs(Tokens),
    case rpc:call(binary_to_atom(Node, utf8), erl_eval, exprs, [Exprs, erl_eval:new_bindings()], Timeout) of
      {value, Value, _} -> Reply(Id, "ok", Value);
      {badrpc, Why} -> Reply(Id, "error", Why)
    end
  catch Class:Reason -> Reply(Id, "error", {Class, Reason})
  end
end,
Loop = fun Next() ->
  case io:get_line(standard_io, "") of
    eof -> halt(0);
    {error, _} -> halt(1);
    Line ->
      case re:run(Line, "^(\\S+) (\\S+) (\\d+) (.*?)\\s*$", [{capture, all_but_first, binary}, unicode]) of
        {match, [Id, Node, Timeout, Expr]} -> spawn(fun() -> Run(Id, Node, binary_to_integer(Timeout), Expr) end);
        nomatch -> Reply(<<"?">>, "error", {bad_request, Line})
      end,
      Next()
  end
end,
io:put_chars(standard_io, "ready\n"),
Loop().
`;

export function controlLoopSource(): string {
  return LOOP.trim();
}
