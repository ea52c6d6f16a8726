// The Erlang side of the control channel, passed to `erl -eval`: one request per line on stdin,
// `<id> <node> <timeout-ms> <at-ms> <expression>`, evaluated on <node> no earlier than <at-ms> (epoch ms,
// 0 = at once: the timeline sends a scheduled action ahead, so a busy harness event loop does not make it
// late) with rpc:call (erl_eval there, so the
// expression may use any module the broker has loaded), one reply per line on stdout:
// `<id> ok <result>` or `<id> error <reason>`, the term printed as rabbitmqctl eval prints it (~p), on
// one line. Each request runs in its own process, so a slow one (a node that is restarting) holds up
// no other; io:put_chars is one request to the io server, so replies never interleave.
// stdin closing (the harness exited, however) halts the node: it never outlives its owner.

const LOOP = String.raw`
io:setopts(standard_io, [binary, {encoding, unicode}]),
OneLine = fun(Term) -> re:replace(io_lib:format("~tp", [Term]), "\\s*\\n\\s*", " ", [global, unicode, {return, binary}]) end,
Reply = fun(Id, Status, Term) -> io:put_chars(standard_io, [Id, " ", Status, " ", OneLine(Term), "\n"]) end,
Run = fun(Id, Node, Timeout, At, Expr) ->
  Wait = At - erlang:system_time(millisecond),
  if Wait > 0 -> timer:sleep(Wait); true -> ok end,
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
      case re:run(Line, "^(\\S+) (\\S+) (\\d+) (\\d+) (.*?)\\s*$", [{capture, all_but_first, binary}, unicode]) of
        {match, [Id, Node, Timeout, At, Expr]} -> spawn(fun() -> Run(Id, Node, binary_to_integer(Timeout), binary_to_integer(At), Expr) end);
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
