/*
 * Unit tests for lib/base/jsonpatch.c: every example of RFC 6902 Appendix A,
 * the pointers of RFC 6901 §5, and the errors.
 *
 * JSON is written with ' for " to keep it readable (J() swaps them
 * back); a real " is still \".
 */
#include <string.h>

#include <jansson.h>

#include "base/err.h"
#include "base/jsonpatch.h"
#include "base/util.h"
#include "t.h"

/* s with every ' turned into ", parsed as any JSON value (new ref). */
static json_t *
J(const char *s)
{
	json_error_t	 e;
	json_t		*j;
	char		*b;
	size_t		 i;

	b = oxstrdup(s);
	for (i = 0; b[i] != '\0'; i++)
		if (b[i] == '\'')
			b[i] = '"';
	j = json_loads(b, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY |
	    JSON_ALLOW_NUL, &e);
	if (j == NULL) {
		fprintf(stderr, "bad test JSON %s: %s\n", b, e.text);
		abort();
	}
	free(b);
	return j;
}

/* Print j to stderr after a label, for failing checks. */
static void
show(const char *label, const json_t *j)
{
	char	*s;

	s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
	fprintf(stderr, "  %s: %s\n", label, s ? s : "(null)");
	free(s);
}

/*
 * 1 if patch applies to doc and gives want, leaving doc as it was and
 * sharing nothing with it.
 */
static int
ok(const char *docs, const char *patchs, const char *wants)
{
	struct oerr	 e;
	json_t		*doc, *copy, *patch, *want, *got;
	int		 rc;

	oerr_clear(&e);
	doc = J(docs);
	copy = J(docs);
	patch = J(patchs);
	want = J(wants);
	got = ojsonpatch_apply(doc, patch, &e);
	rc = got != NULL && !oerr_isset(&e) && json_equal(got, want) &&
	    json_equal(doc, copy) && got != doc;
	if (!rc) {
		show("patch", patch);
		show("want", want);
		show("got", got);
		if (oerr_isset(&e))
			fprintf(stderr, "  error: %s\n", e.description);
	}
	json_decref(doc);
	json_decref(copy);
	json_decref(patch);
	json_decref(want);
	json_decref(got);
	return rc;
}

/*
 * 1 if patch fails on doc with a 400 invalid_request whose description
 * contains each of the (up to two) strings, and doc is left unchanged.
 */
static int
bad(const char *docs, const char *patchs, const char *has,
    const char *has2)
{
	struct oerr	 e;
	json_t		*doc, *copy, *patch, *got;
	int		 rc;

	oerr_clear(&e);
	doc = J(docs);
	copy = J(docs);
	patch = J(patchs);
	got = ojsonpatch_apply(doc, patch, &e);
	rc = got == NULL && e.code == OERR_INVALID_REQUEST &&
	    e.status == 400 && strstr(e.description, has) != NULL &&
	    (has2 == NULL || strstr(e.description, has2) != NULL) &&
	    json_equal(doc, copy);
	if (!rc) {
		show("patch", patch);
		show("got", got);
		fprintf(stderr, "  error: %s\n  wanted: %s / %s\n",
		    e.description, has, has2 ? has2 : "");
	}
	json_decref(doc);
	json_decref(copy);
	json_decref(patch);
	json_decref(got);
	return rc;
}

/* RFC 6902 A.1: Adding an Object Member */
static void
a01_add_member(void)
{
	CHECK(ok("{'foo':'bar'}",
	    "[{'op':'add','path':'/baz','value':'qux'}]",
	    "{'baz':'qux','foo':'bar'}"));
}

/* RFC 6902 A.2: Adding an Array Element */
static void
a02_add_element(void)
{
	CHECK(ok("{'foo':['bar','baz']}",
	    "[{'op':'add','path':'/foo/1','value':'qux'}]",
	    "{'foo':['bar','qux','baz']}"));
}

/* RFC 6902 A.3: Removing an Object Member */
static void
a03_remove_member(void)
{
	CHECK(ok("{'baz':'qux','foo':'bar'}",
	    "[{'op':'remove','path':'/baz'}]",
	    "{'foo':'bar'}"));
}

/* RFC 6902 A.4: Removing an Array Element */
static void
a04_remove_element(void)
{
	CHECK(ok("{'foo':['bar','qux','baz']}",
	    "[{'op':'remove','path':'/foo/1'}]",
	    "{'foo':['bar','baz']}"));
}

/* RFC 6902 A.5: Replacing a Value */
static void
a05_replace(void)
{
	CHECK(ok("{'baz':'qux','foo':'bar'}",
	    "[{'op':'replace','path':'/baz','value':'boo'}]",
	    "{'baz':'boo','foo':'bar'}"));
}

/* RFC 6902 A.6: Moving a Value */
static void
a06_move(void)
{
	CHECK(ok("{'foo':{'bar':'baz','waldo':'fred'},"
	    "'qux':{'corge':'grault'}}",
	    "[{'op':'move','from':'/foo/waldo','path':'/qux/thud'}]",
	    "{'foo':{'bar':'baz'},"
	    "'qux':{'corge':'grault','thud':'fred'}}"));
}

/* RFC 6902 A.7: Moving an Array Element */
static void
a07_move_element(void)
{
	CHECK(ok("{'foo':['all','grass','cows','eat']}",
	    "[{'op':'move','from':'/foo/1','path':'/foo/3'}]",
	    "{'foo':['all','cows','eat','grass']}"));
}

/* RFC 6902 A.8: Testing a Value: Success */
static void
a08_test_success(void)
{
	CHECK(ok("{'baz':'qux','foo':['a',2,'c']}",
	    "[{'op':'test','path':'/baz','value':'qux'},"
	    "{'op':'test','path':'/foo/1','value':2}]",
	    "{'baz':'qux','foo':['a',2,'c']}"));
}

/* RFC 6902 A.9: Testing a Value: Error */
static void
a09_test_error(void)
{
	CHECK(bad("{'baz':'qux'}",
	    "[{'op':'test','path':'/baz','value':'bar'}]",
	    "JSON Patch operation 0 (test /baz): the test failed", NULL));
}

/* RFC 6902 A.10: Adding a Nested Member Object */
static void
a10_add_nested(void)
{
	CHECK(ok("{'foo':'bar'}",
	    "[{'op':'add','path':'/child','value':{'grandchild':{}}}]",
	    "{'foo':'bar','child':{'grandchild':{}}}"));
}

/* RFC 6902 A.11: Ignoring Unrecognized Elements */
static void
a11_ignore_unknown(void)
{
	CHECK(ok("{'foo':'bar'}",
	    "[{'op':'add','path':'/baz','value':'qux','xyz':123}]",
	    "{'foo':'bar','baz':'qux'}"));
	/* Members another op defines are ignored too (§4). */
	CHECK(ok("{'foo':'bar'}",
	    "[{'op':'remove','path':'/foo','value':1,'from':'nonsense'}]",
	    "{}"));
}

/* RFC 6902 A.12: Adding to a Nonexistent Target */
static void
a12_add_nonexistent(void)
{
	CHECK(bad("{'foo':'bar'}",
	    "[{'op':'add','path':'/baz/bat','value':'qux'}]",
	    "(add /baz/bat): the parent of the path does not exist", NULL));
}

/*
 * RFC 6902 A.13: Invalid JSON Patch Document.  Two "op" members: the
 * parser must refuse it, as ojson_parse() does with
 * JSON_REJECT_DUPLICATES (jansson alone keeps the last).
 */
static void
a13_duplicate_op(void)
{
	json_error_t	 e;
	json_t		*j;
	const char	*s = "[{\"op\":\"add\",\"path\":\"/baz\","
			    "\"value\":\"qux\",\"op\":\"remove\"}]";

	j = json_loads(s, JSON_REJECT_DUPLICATES, &e);
	CHECK(j == NULL);
	CHECK(strstr(e.text, "duplicate") != NULL);
	json_decref(j);
}

/* RFC 6902 A.14: ~ Escape Ordering */
static void
a14_escape_ordering(void)
{
	CHECK(ok("{'/':9,'~1':10}",
	    "[{'op':'test','path':'/~01','value':10}]",
	    "{'/':9,'~1':10}"));
}

/* RFC 6902 A.15: Comparing Strings and Numbers */
static void
a15_string_vs_number(void)
{
	CHECK(bad("{'/':9,'~1':10}",
	    "[{'op':'test','path':'/~01','value':'10'}]",
	    "(test /~01): the test failed", NULL));
}

/* RFC 6902 A.16: Adding an Array Value */
static void
a16_add_array_value(void)
{
	CHECK(ok("{'foo':['bar']}",
	    "[{'op':'add','path':'/foo/-','value':['abc','def']}]",
	    "{'foo':['bar',['abc','def']]}"));
}

/* RFC 6901 §5: the JSON-string representation examples. */
static void
pointer_rfc6901(void)
{
	json_t	*doc, *v;

	doc = J("{'foo':['bar','baz'],'':0,'a/b':1,'c%d':2,'e^f':3,"
	    "'g|h':4,'i\\\\j':5,'k\\\"l':6,' ':7,'m~n':8}");
	CHECK(ojsonpointer_get(doc, "") == doc);
	v = ojsonpointer_get(doc, "/foo");
	CHECK(json_is_array(v) && json_array_size(v) == 2);
	v = ojsonpointer_get(doc, "/foo/0");
	CHECK(json_is_string(v) && strcmp(json_string_value(v), "bar") == 0);
	v = ojsonpointer_get(doc, "/foo/1");
	CHECK(json_is_string(v) && strcmp(json_string_value(v), "baz") == 0);
#define INT_AT(p, n) do {						\
	v = ojsonpointer_get(doc, (p));					\
	CHECK(json_is_integer(v) && json_integer_value(v) == (n));	\
} while (0)
	INT_AT("/", 0);
	INT_AT("/a~1b", 1);
	INT_AT("/c%d", 2);
	INT_AT("/e^f", 3);
	INT_AT("/g|h", 4);
	INT_AT("/i\\j", 5);
	INT_AT("/k\"l", 6);
	INT_AT("/ ", 7);
	INT_AT("/m~0n", 8);
#undef INT_AT
	/* Borrowed: the very object inside doc. */
	CHECK(ojsonpointer_get(doc, "/foo") == json_object_get(doc, "foo"));
	json_decref(doc);
}

/* Pointers that name nothing, or are malformed: NULL. */
static void
pointer_absent(void)
{
	json_t	*doc;

	doc = J("{'foo':['bar','baz'],'n':{'x':null},'s':'str','~':1}");
	CHECK(ojsonpointer_get(doc, "foo") == NULL);	/* no leading / */
	CHECK(ojsonpointer_get(doc, "#/foo") == NULL);	/* §6 form */
	CHECK(ojsonpointer_get(doc, "/~2") == NULL);
	CHECK(ojsonpointer_get(doc, "/~") == NULL);
	CHECK(ojsonpointer_get(doc, "/~0") != NULL);	/* the '~' key */
	CHECK(ojsonpointer_get(doc, "/foo/~") == NULL);
	CHECK(ojsonpointer_get(doc, "/missing") == NULL);
	CHECK(ojsonpointer_get(doc, "/foo/2") == NULL);
	CHECK(ojsonpointer_get(doc, "/foo/01") == NULL);
	CHECK(ojsonpointer_get(doc, "/foo/-") == NULL);
	CHECK(ojsonpointer_get(doc, "/foo/-1") == NULL);
	CHECK(ojsonpointer_get(doc, "/foo/+1") == NULL);
	CHECK(ojsonpointer_get(doc, "/foo/ 1") == NULL);
	CHECK(ojsonpointer_get(doc, "/foo/") == NULL);
	CHECK(ojsonpointer_get(doc, "/foo/bar") == NULL);
	CHECK(ojsonpointer_get(doc,
	    "/foo/99999999999999999999999999999") == NULL);
	CHECK(ojsonpointer_get(doc, "/s/0") == NULL);	/* through string */
	CHECK(ojsonpointer_get(doc, "/n/x/y") == NULL);	/* through null */
	CHECK(json_is_null(ojsonpointer_get(doc, "/n/x")));
	CHECK(ojsonpointer_get(doc, NULL) == NULL);
	CHECK(ojsonpointer_get(NULL, "") == NULL);
	json_decref(doc);
}

/* Pointer syntax errors in "path" and "from" (RFC 6901 §3). */
static void
err_pointer_syntax(void)
{
	CHECK(bad("{'a':1}", "[{'op':'remove','path':'a'}]",
	    "(remove a): the path must be empty or start with '/'", NULL));
	CHECK(bad("{'a':1}", "[{'op':'remove','path':'/~2'}]",
	    "(remove /~2): the path has a '~' not followed by", NULL));
	CHECK(bad("{'a':1}", "[{'op':'remove','path':'/a~'}]",
	    "'~' not followed by '0' or '1'", NULL));
	CHECK(bad("{'a':1}", "[{'op':'move','from':'a','path':'/b'}]",
	    "(move /b): the from location must be empty or start", NULL));
	CHECK(bad("{'a':1}", "[{'op':'copy','from':'/~x','path':'/b'}]",
	    "the from location has a '~'", NULL));
	CHECK(bad("{'a':1}", "[{'op':'add','path':'/a\\u0000b','value':1}]",
	    "the path contains a NUL byte", NULL));
	CHECK(bad("{'a':1}", "[{'op':'test','path':'#/a','value':1}]",
	    "must be empty or start with '/'", NULL));
}

/* Array indices: range, "-", leading zeros (RFC 6902 §4.1, 6901 §4). */
static void
err_array_index(void)
{
	const char	*d = "{'a':[1,2]}";

	/* add: 0 .. size, and "-". */
	CHECK(ok(d, "[{'op':'add','path':'/a/2','value':3}]", "{'a':[1,2,3]}"));
	CHECK(ok(d, "[{'op':'add','path':'/a/0','value':0}]",
	    "{'a':[0,1,2]}"));
	CHECK(ok("{'a':[]}", "[{'op':'add','path':'/a/0','value':0}]",
	    "{'a':[0]}"));
	CHECK(ok("{'a':[]}", "[{'op':'add','path':'/a/-','value':0}]",
	    "{'a':[0]}"));
	CHECK(bad(d, "[{'op':'add','path':'/a/3','value':3}]",
	    "(add /a/3): the path does not exist (the array has 2 elements)",
	    NULL));
	CHECK(bad(d, "[{'op':'add','path':'/a/99999999999999999999999',"
	    "'value':3}]", "does not exist (the array has 2", NULL));
	/* the others: 0 .. size - 1 only. */
	CHECK(bad(d, "[{'op':'remove','path':'/a/2'}]",
	    "(remove /a/2): the path does not exist", NULL));
	CHECK(bad(d, "[{'op':'replace','path':'/a/2','value':0}]",
	    "(replace /a/2): the path does not exist", NULL));
	CHECK(bad(d, "[{'op':'test','path':'/a/2','value':0}]",
	    "the path does not exist", NULL));
	CHECK(bad(d, "[{'op':'move','from':'/a/2','path':'/b'}]",
	    "the from location does not exist", NULL));
	CHECK(bad(d, "[{'op':'copy','from':'/a/2','path':'/b'}]",
	    "the from location does not exist", NULL));
	CHECK(bad("{'a':[1]}", "[{'op':'remove','path':'/a/1'}]",
	    "the array has 1 element)", NULL));
	/* "-" names no element. */
	CHECK(bad(d, "[{'op':'remove','path':'/a/-'}]",
	    "(remove /a/-): the path does not exist ('-'", NULL));
	CHECK(bad(d, "[{'op':'replace','path':'/a/-','value':0}]",
	    "(replace /a/-): the path does not exist ('-'", NULL));
	CHECK(bad(d, "[{'op':'test','path':'/a/-','value':0}]",
	    "only add can use", NULL));
	CHECK(bad(d, "[{'op':'move','from':'/a/-','path':'/b'}]",
	    "the from location does not exist ('-'", NULL));
	/* Leading zeros and non-numbers. */
	CHECK(bad(d, "[{'op':'add','path':'/a/01','value':0}]",
	    "array index '01' in the path has a leading zero", NULL));
	CHECK(bad(d, "[{'op':'remove','path':'/a/00'}]",
	    "leading zero", NULL));
	CHECK(bad(d, "[{'op':'replace','path':'/a/x','value':0}]",
	    "'x' in the path is not an array index", NULL));
	CHECK(bad(d, "[{'op':'replace','path':'/a/-1','value':0}]",
	    "'-1' in the path is not an array index", NULL));
	CHECK(bad(d, "[{'op':'replace','path':'/a/','value':0}]",
	    "'' in the path is not an array index", NULL));
	/* An object member named "0" is not an index. */
	CHECK(ok("{'a':{'01':1}}", "[{'op':'remove','path':'/a/01'}]",
	    "{'a':{}}"));
}

/* The patch document itself (RFC 6902 §3, §4). */
static void
err_patch_shape(void)
{
	const char	*d = "{'a':1}";

	CHECK(bad(d, "{'op':'remove','path':'/a'}",
	    "A JSON Patch must be an array of operations.", NULL));
	CHECK(bad(d, "'x'", "must be an array", NULL));
	CHECK(bad(d, "null", "must be an array", NULL));
	CHECK(bad(d, "[{'op':'test','path':'/a','value':1},1]",
	    "JSON Patch operation 1: the operation is a number, not an "
	    "object", NULL));
	CHECK(bad(d, "[[]]", "operation 0: the operation is an array", NULL));
	CHECK(bad(d, "[{'path':'/a'}]",
	    "operation 0: the member \"op\" is missing", NULL));
	CHECK(bad(d, "[{'op':1,'path':'/a'}]",
	    "operation 0: \"op\" must be a string", NULL));
	CHECK(bad(d, "[{'op':'delete','path':'/a'}]",
	    "JSON Patch operation 0 (delete): unknown op", NULL));
	CHECK(bad(d, "[{'op':'ADD','path':'/a','value':1}]",
	    "(ADD): unknown op", NULL));
	CHECK(bad(d, "[{'op':'add\\u0000x','path':'/b','value':1}]",
	    "unknown op", NULL));
	CHECK(bad(d, "[{'op':'remove'}]",
	    "(remove): the member \"path\" is missing", NULL));
	CHECK(bad(d, "[{'op':'remove','path':null}]",
	    "(remove): \"path\" must be a string", NULL));
	CHECK(bad(d, "[{'op':'remove','path':['a']}]",
	    "\"path\" must be a string", NULL));
	CHECK(bad(d, "[{'op':'add','path':'/b'}]",
	    "(add /b): the member \"value\" is missing", NULL));
	CHECK(bad(d, "[{'op':'replace','path':'/a'}]",
	    "(replace /a): the member \"value\" is missing", NULL));
	CHECK(bad(d, "[{'op':'test','path':'/a'}]",
	    "(test /a): the member \"value\" is missing", NULL));
	CHECK(bad(d, "[{'op':'move','path':'/b'}]",
	    "(move /b): the member \"from\" is missing", NULL));
	CHECK(bad(d, "[{'op':'copy','path':'/b','from':7}]",
	    "(copy /b): \"from\" must be a string", NULL));
	/* No document at all is the caller's bug. */
	{
		struct oerr	 e;
		json_t		*p = J("[]");

		oerr_clear(&e);
		CHECK(ojsonpatch_apply(NULL, p, &e) == NULL);
		CHECK(e.code == OERR_SERVER_ERROR && e.status == 500);
		json_decref(p);
	}
	/* The empty patch changes nothing. */
	CHECK(ok(d, "[]", d));
}

/* "value": null is a value, not an absent member. */
static void
null_value(void)
{
	CHECK(ok("{'a':1}", "[{'op':'add','path':'/b','value':null}]",
	    "{'a':1,'b':null}"));
	CHECK(ok("{'a':1}", "[{'op':'replace','path':'/a','value':null}]",
	    "{'a':null}"));
	CHECK(ok("{'a':null}", "[{'op':'test','path':'/a','value':null}]",
	    "{'a':null}"));
	CHECK(bad("{'a':false}", "[{'op':'test','path':'/a','value':null}]",
	    "the test failed", NULL));
	CHECK(ok("{'a':[null]}", "[{'op':'remove','path':'/a/0'}]",
	    "{'a':[]}"));
}

/* Missing targets and paths through scalars. */
static void
err_missing(void)
{
	CHECK(bad("{'a':1}", "[{'op':'remove','path':'/b'}]",
	    "(remove /b): the path does not exist", NULL));
	CHECK(bad("{'a':1}", "[{'op':'replace','path':'/b','value':2}]",
	    "(replace /b): the path does not exist", NULL));
	CHECK(bad("{'a':1}", "[{'op':'test','path':'/b','value':2}]",
	    "(test /b): the path does not exist", NULL));
	CHECK(bad("{'a':1}", "[{'op':'copy','from':'/b','path':'/c'}]",
	    "(copy /c): the from location does not exist", NULL));
	CHECK(bad("{'a':1}", "[{'op':'move','from':'/b','path':'/b'}]",
	    "(move /b): the from location does not exist", NULL));
	CHECK(bad("{'a':'s'}", "[{'op':'add','path':'/a/b','value':2}]",
	    "the parent of the path is a string, not an object or an array",
	    NULL));
	CHECK(bad("{'a':1}", "[{'op':'add','path':'/a/b/c','value':2}]",
	    "the parent of the path does not exist (it goes through a "
	    "number)", NULL));
	CHECK(bad("{'a':true}", "[{'op':'remove','path':'/a/0'}]",
	    "the path does not exist (it goes through a boolean)", NULL));
	CHECK(bad("7", "[{'op':'add','path':'/a','value':2}]",
	    "the parent of the path is a number", NULL));
}

/* The brief's example message, in full. */
static void
err_message(void)
{
	struct oerr	 e;
	json_t		*doc, *patch;

	oerr_clear(&e);
	doc = J("{'redirect_uris':['https://a/cb','https://b/cb']}");
	patch = J("[{'op':'test','path':'/redirect_uris/0',"
	    "'value':'https://a/cb'},"
	    "{'op':'add','path':'/redirect_uris/-','value':'https://c/cb'},"
	    "{'op':'replace','path':'/redirect_uris/5','value':'x'}]");
	CHECK(ojsonpatch_apply(doc, patch, &e) == NULL);
	CHECK(e.code == OERR_INVALID_REQUEST && e.status == 400);
	CHECK_STR(e.description, "JSON Patch operation 2 (replace "
	    "/redirect_uris/5): the path does not exist (the array has 3 "
	    "elements)");
	CHECK_STR(oerr_name(e.code), "invalid_request");
	/* The first error wins: an earlier one is kept. */
	oerr_clear(&e);
	oerr_set(&e, OERR_FORBIDDEN, "earlier");
	CHECK(ojsonpatch_apply(doc, patch, &e) == NULL);
	CHECK_STR(e.description, "earlier");
	json_decref(doc);
	json_decref(patch);
}

/* Client strings in messages are cut short, never inside UTF-8. */
static void
err_message_clipped(void)
{
	struct oerr	 e;
	json_t		*doc, *patch, *op;
	char		 path[1 + 2 * 100 + 1], opname[40];
	size_t		 i;

	oerr_clear(&e);
	path[0] = '/';
	for (i = 0; i < 100; i++)
		memcpy(path + 1 + 2 * i, "\xc3\xa9", 2);	/* e-acute */
	path[sizeof(path) - 1] = '\0';
	memset(opname, 'x', sizeof(opname) - 1);
	opname[sizeof(opname) - 1] = '\0';
	doc = J("{}");
	patch = json_array();
	op = json_pack("{s:s,s:s}", "op", "remove", "path", path);
	json_array_append_new(patch, op);
	CHECK(ojsonpatch_apply(doc, patch, &e) == NULL);
	CHECK(strlen(e.description) < 140);
	CHECK(outf8(e.description, strlen(e.description)));
	CHECK(strstr(e.description, "...): the path does not exist") != NULL);
	oerr_clear(&e);
	json_object_set_new(op, "op", json_string(opname));
	CHECK(ojsonpatch_apply(doc, patch, &e) == NULL);
	CHECK_STR(e.description, "JSON Patch operation 0 "
	    "(xxxxxxxxxxxxxxxx...): unknown op (it must be add, remove, "
	    "replace, move, copy or test)");
	json_decref(doc);
	json_decref(patch);
}

/* RFC 6902 §4.4: a value cannot move into its own child. */
static void
err_move_into_child(void)
{
	const char	*d = "{'a':{'b':{'c':1}},'x':[1,2]}";

	CHECK(bad(d, "[{'op':'move','from':'/a','path':'/a/b'}]",
	    "(move /a/b): a value cannot be moved into one of its children",
	    NULL));
	CHECK(bad(d, "[{'op':'move','from':'/a','path':'/a/b/c/d'}]",
	    "cannot be moved into", NULL));
	CHECK(bad(d, "[{'op':'move','from':'','path':'/a'}]",
	    "cannot be moved into", NULL));
	CHECK(bad(d, "[{'op':'move','from':'/x','path':'/x/-'}]",
	    "cannot be moved into", NULL));
	/* A sibling with a longer name is not a child. */
	CHECK(ok(d, "[{'op':'move','from':'/a','path':'/ab'}]",
	    "{'ab':{'b':{'c':1}},'x':[1,2]}"));
	/* Into a parent is fine. */
	CHECK(ok(d, "[{'op':'move','from':'/a/b/c','path':'/a/c'}]",
	    "{'a':{'b':{},'c':1},'x':[1,2]}"));
	CHECK(ok(d, "[{'op':'move','from':'/a/b','path':'/a'}]",
	    "{'a':{'c':1},'x':[1,2]}"));
	/* Onto itself: nothing changes. */
	CHECK(ok(d, "[{'op':'move','from':'/a','path':'/a'}]", d));
	CHECK(ok(d, "[{'op':'move','from':'/x/1','path':'/x/1'}]", d));
	CHECK(ok(d, "[{'op':'move','from':'','path':''}]", d));
	/* copy into its own child is allowed: the copy is taken first. */
	CHECK(ok("{'a':{'b':1}}", "[{'op':'copy','from':'/a','path':'/a/c'}]",
	    "{'a':{'b':1,'c':{'b':1}}}"));
	/* Moving to the end of an array, and across arrays. */
	CHECK(ok("{'x':[1,2,3]}", "[{'op':'move','from':'/x/0','path':'/x/-'}]",
	    "{'x':[2,3,1]}"));
	CHECK(ok("{'x':[1,2],'y':[]}",
	    "[{'op':'move','from':'/x/1','path':'/y/0'}]",
	    "{'x':[1],'y':[2]}"));
}

/* The whole document: path "" (and "/" is the member named ""). */
static void
whole_document(void)
{
	CHECK(ok("{'a':1}", "[{'op':'replace','path':'','value':[1]}]", "[1]"));
	CHECK(ok("{'a':1}", "[{'op':'add','path':'','value':{'b':2}}]",
	    "{'b':2}"));
	CHECK(ok("{'a':1}", "[{'op':'test','path':'','value':{'a':1.0}}]",
	    "{'a':1}"));
	CHECK(ok("{'a':1}", "[{'op':'copy','from':'','path':'/b'}]",
	    "{'a':1,'b':{'a':1}}"));
	CHECK(ok("{'a':{'b':2}}", "[{'op':'move','from':'/a','path':''}]",
	    "{'b':2}"));
	CHECK(ok("{'a':1}", "[{'op':'replace','path':'','value':null}]",
	    "null"));
	CHECK(ok("'s'", "[{'op':'replace','path':'','value':'t'}]", "'t'"));
	CHECK(bad("{'a':1}", "[{'op':'remove','path':''}]",
	    "the whole document cannot be removed", NULL));
	CHECK(ok("{'a':1}", "[{'op':'add','path':'/','value':2}]",
	    "{'a':1,'':2}"));
	CHECK(bad("{'a':1}", "[{'op':'replace','path':'/','value':2}]",
	    "(replace /): the path does not exist", NULL));
	/* Later operations see the new document. */
	CHECK(ok("{'a':1}", "[{'op':'replace','path':'','value':{'b':[]}},"
	    "{'op':'add','path':'/b/0','value':9}]", "{'b':[9]}"));
}

/* RFC 6902 §4.6: how test compares. */
static void
test_equality(void)
{
	const char	*d = "{'i':1,'r':1.0,'h':1.5,'big':9007199254740993,"
			    "'o':{'x':[1,{'y':2}],'z':null},'s':'a\\u0000b',"
			    "'e':'\\u00e9'}";

	/*
	 * Numbers compare by value: 1 equals 1.0 ("numerically equal"),
	 * which json_equal() would deny.
	 */
	CHECK(ok(d, "[{'op':'test','path':'/i','value':1.0}]", d));
	CHECK(ok(d, "[{'op':'test','path':'/r','value':1}]", d));
	CHECK(ok(d, "[{'op':'test','path':'/i','value':1e0}]", d));
	CHECK(ok(d, "[{'op':'test','path':'/h','value':1.5}]", d));
	CHECK(bad(d, "[{'op':'test','path':'/h','value':1}]",
	    "the test failed", NULL));
	CHECK(bad(d, "[{'op':'test','path':'/i','value':2.0}]",
	    "the test failed", NULL));
	CHECK(bad(d, "[{'op':'test','path':'/i','value':true}]",
	    "the test failed", NULL));
	/* 2^53 + 1 is not the real 2^53, though (double) says it is. */
	CHECK(bad(d, "[{'op':'test','path':'/big',"
	    "'value':9007199254740992.0}]", "the test failed", NULL));
	CHECK(ok(d, "[{'op':'test','path':'/big',"
	    "'value':9007199254740993}]", d));
	CHECK(bad(d, "[{'op':'test','path':'/i','value':1e300}]",
	    "the test failed", NULL));
	CHECK(bad(d, "[{'op':'test','path':'/i','value':-9.3e18}]",
	    "the test failed", NULL));
	/* Containers: member order is free, nested numbers by value. */
	CHECK(ok(d, "[{'op':'test','path':'/o',"
	    "'value':{'z':null,'x':[1.0,{'y':2.0}]}}]", d));
	CHECK(bad(d, "[{'op':'test','path':'/o','value':{'x':[1,{'y':2}]}}]",
	    "the test failed", NULL));
	CHECK(bad(d, "[{'op':'test','path':'/o',"
	    "'value':{'x':[1,{'y':2}],'z':null,'w':1}}]",
	    "the test failed", NULL));
	CHECK(bad(d, "[{'op':'test','path':'/o/x',"
	    "'value':[{'y':2},1]}]", "the test failed", NULL));
	CHECK(bad(d, "[{'op':'test','path':'/o/z','value':{}}]",
	    "the test failed", NULL));
	/* Strings: byte for byte, NUL bytes included. */
	CHECK(ok(d, "[{'op':'test','path':'/s','value':'a\\u0000b'}]", d));
	CHECK(bad(d, "[{'op':'test','path':'/s','value':'a\\u0000c'}]",
	    "the test failed", NULL));
	CHECK(bad(d, "[{'op':'test','path':'/s','value':'a'}]",
	    "the test failed", NULL));
	CHECK(ok(d, "[{'op':'test','path':'/e','value':'\\u00e9'}]", d));
}

/*
 * All or nothing (RFC 6902 §5): a patch failing midway leaves the
 * input as it was, although earlier operations succeeded on the copy.
 */
static void
atomic(void)
{
	struct oerr	 e;
	json_t		*doc, *copy, *patch;

	oerr_clear(&e);
	doc = J("{'client_id':'c','a':[1,2],'o':{'k':'v'}}");
	copy = json_deep_copy(doc);
	patch = J("[{'op':'add','path':'/a/0','value':0},"
	    "{'op':'remove','path':'/o/k'},"
	    "{'op':'replace','path':'/client_id','value':'d'},"
	    "{'op':'move','from':'/a','path':'/b'},"
	    "{'op':'test','path':'/b/0','value':99},"
	    "{'op':'add','path':'/never','value':1}]");
	CHECK(ojsonpatch_apply(doc, patch, &e) == NULL);
	CHECK(strstr(e.description, "JSON Patch operation 4 (test /b/0)")
	    != NULL);
	CHECK(json_equal(doc, copy));
	CHECK(json_object_size(json_object_get(doc, "o")) == 1);
	CHECK(json_array_size(json_object_get(doc, "a")) == 2);
	json_decref(doc);
	json_decref(copy);
	json_decref(patch);
}

/* The result shares no memory with the document or the patch. */
static void
no_sharing(void)
{
	struct oerr	 e;
	json_t		*doc, *patch, *got, *v;

	oerr_clear(&e);
	doc = J("{'a':{'b':1}}");
	patch = J("[{'op':'add','path':'/c','value':{'d':[1]}},"
	    "{'op':'test','path':'/a','value':{'b':1}}]");
	got = ojsonpatch_apply(doc, patch, &e);
	CHECK(got != NULL && got != doc);
	v = ojsonpointer_get(got, "/c");
	CHECK(v != NULL &&
	    v != ojsonpointer_get(patch, "/0/value"));
	CHECK(ojsonpointer_get(got, "/a") != ojsonpointer_get(doc, "/a"));
	CHECK(json_object_get(got, "a")->refcount == 1);
	CHECK(v != NULL && v->refcount == 1);
	/* Changing the patch afterwards leaves the result alone. */
	json_array_append_new(ojsonpointer_get(patch, "/0/value/d"),
	    json_integer(2));
	CHECK(json_array_size(ojsonpointer_get(got, "/c/d")) == 1);
	json_decref(got);
	/* A replaced whole document is a copy too. */
	json_decref(patch);
	patch = J("[{'op':'replace','path':'','value':{'x':1}}]");
	got = ojsonpatch_apply(doc, patch, &e);
	CHECK(got != NULL && got != ojsonpointer_get(patch, "/0/value"));
	json_decref(got);
	json_decref(doc);
	json_decref(patch);
}

/* Several operations in order, each seeing the result of the last. */
static void
sequence(void)
{
	CHECK(ok("{'grant_types':['authorization_code'],'client_name':'x'}",
	    "[{'op':'add','path':'/grant_types/-','value':'refresh_token'},"
	    "{'op':'test','path':'/grant_types/1','value':'refresh_token'},"
	    "{'op':'copy','from':'/client_name','path':'/description'},"
	    "{'op':'replace','path':'/client_name','value':'y'},"
	    "{'op':'add','path':'/client_name','value':'z'},"
	    "{'op':'remove','path':'/grant_types/0'}]",
	    "{'grant_types':['refresh_token'],'client_name':'z',"
	    "'description':'x'}"));
	/* Escaped member names in every position. */
	CHECK(ok("{'a/b':{'m~n':1}}",
	    "[{'op':'move','from':'/a~1b/m~0n','path':'/~0~1'},"
	    "{'op':'add','path':'/a~1b/~1','value':2}]",
	    "{'a/b':{'/':2},'~/':1}"));
}

/*
 * "copy" doubling a member: 2 KB of patch once made a 66 MB document
 * (issue 12).  The bound is checked before each copy, so the refusal
 * comes at once, names the operation and the limit, and nothing grows.
 */
static void
growth_bounded(void)
{
	struct oerr	 e;
	json_t		*doc, *patch, *got, *op;
	char		 path[32];
	int		 i;

	doc = J("{'a':'0123456789012345678901234567890123456789'}");
	patch = json_array();
	for (i = 0; i < 40; i++) {
		snprintf(path, sizeof(path), "/a%d", i);
		op = json_pack("{s:s,s:s,s:s}", "op", "copy", "from", "",
		    "path", path);
		json_array_append_new(patch, op);
	}
	oerr_clear(&e);
	CHECK(ojsonpatch_apply(doc, patch, &e) == NULL);
	CHECK(e.status == 400);
	CHECK(strstr(e.description, "(copy /a") != NULL);
	CHECK(strstr(e.description, "larger than 1048576 bytes") != NULL);
	/* A bound of the caller's: 250 bytes allow two doublings only. */
	oerr_clear(&e);
	CHECK(ojsonpatch_apply_max(doc, patch, 250, &e) == NULL);
	CHECK(strstr(e.description, "JSON Patch operation 2 (copy /a2)")
	    != NULL);
	CHECK(strstr(e.description, "larger than 250 bytes") != NULL);
	json_decref(patch);
	/* Within it: applied. */
	patch = J("[{'op':'copy','from':'/a','path':'/b'}]");
	oerr_clear(&e);
	got = ojsonpatch_apply_max(doc, patch, 200, &e);
	CHECK(got != NULL && json_object_size(got) == 2);
	json_decref(got);
	json_decref(patch);
	/* Added values count too, escapes as what they serialize to. */
	patch = J("[{'op':'add','path':'/b','value':'\\u0001\\u0001'}]");
	oerr_clear(&e);
	CHECK(ojsonpatch_apply_max(doc, patch, 60, &e) == NULL);
	CHECK(strstr(e.description, "(add /b)") != NULL);
	json_decref(patch);
	/* A document already past the bound cannot be patched. */
	patch = J("[]");
	oerr_clear(&e);
	CHECK(ojsonpatch_apply_max(doc, patch, 10, &e) == NULL);
	CHECK(strstr(e.description, "larger than 10 bytes") != NULL);
	json_decref(patch);
	json_decref(doc);
}

/* ojsonpatch_touches: equal, under, above; fail closed. */
static void
touches(void)
{
	json_t	*p;

#define TOUCHES(patch, ptr, want) do {					\
	p = J(patch);							\
	CHECK(ojsonpatch_touches(p, (ptr)) == (want));			\
	json_decref(p);							\
} while (0)
	/* Equal. */
	TOUCHES("[{'op':'replace','path':'/client_id','value':'x'}]",
	    "/client_id", 1);
	TOUCHES("[{'op':'remove','path':'/client_id'}]", "/client_id", 1);
	TOUCHES("[{'op':'test','path':'/client_id','value':'x'}]",
	    "/client_id", 1);
	/* Under it. */
	TOUCHES("[{'op':'add','path':'/client_id/x','value':1}]",
	    "/client_id", 1);
	/* Above it: the whole document, or a parent object. */
	TOUCHES("[{'op':'replace','path':'','value':{}}]", "/client_id", 1);
	TOUCHES("[{'op':'remove','path':'/metadata'}]", "/metadata/owner",
	    1);
	/* "/" is the member named "", not the document. */
	TOUCHES("[{'op':'add','path':'/','value':1}]", "/client_id", 0);
	TOUCHES("[{'op':'add','path':'/','value':1}]", "/", 1);
	TOUCHES("[{'op':'add','path':'//x','value':1}]", "/", 1);
	/* Neighbours with a common prefix of characters only. */
	TOUCHES("[{'op':'add','path':'/client_idx','value':1}]",
	    "/client_id", 0);
	TOUCHES("[{'op':'add','path':'/client','value':1}]",
	    "/client_id", 0);
	TOUCHES("[{'op':'add','path':'/client_name','value':1},"
	    "{'op':'test','path':'/grant_types/0','value':1}]",
	    "/client_id", 0);
	/* move's "from" counts, copy's does not. */
	TOUCHES("[{'op':'move','from':'/client_id','path':'/x'}]",
	    "/client_id", 1);
	TOUCHES("[{'op':'move','from':'','path':''}]", "/client_id", 1);
	TOUCHES("[{'op':'copy','from':'/client_id','path':'/x'}]",
	    "/client_id", 0);
	TOUCHES("[{'op':'copy','from':'/x','path':'/client_id'}]",
	    "/client_id", 1);
	/* Escapes compare decoded. */
	TOUCHES("[{'op':'remove','path':'/a~1b'}]", "/a~1b/c", 1);
	TOUCHES("[{'op':'remove','path':'/a~1b'}]", "/a/b", 0);
	/* The empty patch touches nothing. */
	TOUCHES("[]", "/client_id", 0);
	TOUCHES("[]", "", 0);
	/* Every op touches "". */
	TOUCHES("[{'op':'test','path':'/q','value':1}]", "", 1);
	/* Malformed: fail closed. */
	TOUCHES("{}", "/client_id", 1);
	TOUCHES("[1]", "/client_id", 1);
	TOUCHES("[{'op':'frob','path':'/x'}]", "/client_id", 1);
	TOUCHES("[{'op':'add','path':'x','value':1}]", "/client_id", 1);
	TOUCHES("[{'op':'add','path':'/x'}]", "/client_id", 1);
	TOUCHES("[{'op':'move','path':'/x'}]", "/client_id", 1);
	TOUCHES("[{'op':'remove','path':'/~2'}]", "/client_id", 1);
	TOUCHES("[{'op':'remove','path':'/x'}]", "client_id", 1);
	TOUCHES("[{'op':'remove','path':'/x'}]", "/~", 1);
	TOUCHES("[{'op':'remove','path':'/x'}]", NULL, 1);
	CHECK(ojsonpatch_touches(NULL, "/client_id") == 1);
#undef TOUCHES
}

static const struct t_case tests[] = {
	T(a01_add_member),
	T(a02_add_element),
	T(a03_remove_member),
	T(a04_remove_element),
	T(a05_replace),
	T(a06_move),
	T(a07_move_element),
	T(a08_test_success),
	T(a09_test_error),
	T(a10_add_nested),
	T(a11_ignore_unknown),
	T(a12_add_nonexistent),
	T(a13_duplicate_op),
	T(a14_escape_ordering),
	T(a15_string_vs_number),
	T(a16_add_array_value),
	T(pointer_rfc6901),
	T(pointer_absent),
	T(err_pointer_syntax),
	T(err_array_index),
	T(err_patch_shape),
	T(null_value),
	T(err_missing),
	T(err_message),
	T(err_message_clipped),
	T(err_move_into_child),
	T(whole_document),
	T(test_equality),
	T(atomic),
	T(no_sharing),
	T(sequence),
	T(touches),
	T(growth_bounded),
};

int
main(void)
{
	return t_run(tests, NTESTS);
}
