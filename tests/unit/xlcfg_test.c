/*
 * The grammar of xl.cfg(5) (sim/toolstack/xlcfg.c): strings, numbers,
 * lists, comments, line continuation, and a line and column for every
 * malformed file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/toolstack/xlcfg.h"

static struct xlcfg *parse_ok(const char *text)
{
	char err[512] = "";
	struct xlcfg *c;

	int rc = xlcfg_parse(text, strlen(text), "t.cfg", &c, err, sizeof(err));
	if (rc != 0)
		fail_msg("parse failed: %s", err);
	return c;
}

/* The error line for text, which must fail with -EINVAL. */
static const char *parse_err(const char *text)
{
	static char err[512];
	struct xlcfg *c = (struct xlcfg *)1;

	err[0] = '\0';
	assert_int_equal(xlcfg_parse(text, strlen(text), "t.cfg", &c, err, sizeof(err)), -EINVAL);
	assert_null(c);
	return err;
}

static const struct xlcfg_setting *get(struct xlcfg *c, const char *key)
{
	const struct xlcfg_setting *s = xlcfg_find(c, key);

	if (!s)
		fail_msg("no setting %s", key);
	return s;
}

static void test_strings_numbers_and_lists_keep_their_kind_and_text(void **state)
{
	struct xlcfg *c = parse_ok("name = \"web\"\nmemory = 64\nmaxmem=0x40\n"
				   "vif = [ 'mac=00:16:3e:00:00:01', \"bridge=br0\", 7 ]\n");
	const struct xlcfg_setting *s;

	s = get(c, "name");
	assert_int_equal(s->kind, XLCFG_STRING);
	assert_string_equal(s->value.text, "web");
	s = get(c, "memory");
	assert_int_equal(s->kind, XLCFG_NUMBER);
	assert_string_equal(s->value.text, "64");
	assert_string_equal(get(c, "maxmem")->value.text, "0x40");
	s = get(c, "vif");
	assert_int_equal(s->kind, XLCFG_LIST);
	assert_int_equal(s->nr_items, 3);
	assert_string_equal(s->items[0].text, "mac=00:16:3e:00:00:01");
	assert_string_equal(s->items[1].text, "bridge=br0");
	assert_int_equal(s->items[2].kind, XLCFG_NUMBER);
	assert_int_equal(s->items[1].line, 4);
	assert_int_equal(s->items[1].col, 34);
	assert_int_equal(c->nr_settings, 4);
	xlcfg_free(c);
}

static void test_comments_blank_lines_and_semicolons_separate_settings(void **state)
{
	struct xlcfg *c = parse_ok("# a comment\n\n  \t\nname = \"a\" # after a value\n"
				   "memory = 8; vcpus = 1 ;\n#last");

	assert_int_equal(c->nr_settings, 3);
	assert_string_equal(get(c, "name")->value.text, "a");
	assert_string_equal(get(c, "vcpus")->value.text, "1");
	assert_int_equal(get(c, "vcpus")->line, 5);
	assert_int_equal(get(c, "vcpus")->col, 13);
	xlcfg_free(c);
}

static void test_escapes_in_both_quotes_give_their_bytes(void **state)
{
	struct xlcfg *c = parse_ok("a = \"q\\\"t\\\\n\\n\\t\\x41\\101\"\nb = 'it\\'s \"x\"'\n");

	assert_string_equal(get(c, "a")->value.text, "q\"t\\n\n\tAA");
	assert_string_equal(get(c, "b")->value.text, "it's \"x\"");
	xlcfg_free(c);
}

static void test_a_list_spans_lines_and_may_end_with_a_comma(void **state)
{
	struct xlcfg *c = parse_ok("disk = [\n  'a', # first\n\n  'b',\n]\nname='n'\n"
				   "empty = []\n");

	assert_int_equal(get(c, "disk")->nr_items, 2);
	assert_string_equal(get(c, "disk")->items[1].text, "b");
	assert_int_equal(get(c, "disk")->items[1].line, 4);
	assert_int_equal(get(c, "empty")->kind, XLCFG_LIST);
	assert_int_equal(get(c, "empty")->nr_items, 0);
	xlcfg_free(c);
}

static void test_a_backslash_at_the_end_of_a_line_joins_the_next(void **state)
{
	struct xlcfg *c = parse_ok("extra = \\\n  \"a b\"\nmemory \\\r\n = 16\n");

	assert_string_equal(get(c, "extra")->value.text, "a b");
	assert_string_equal(get(c, "memory")->value.text, "16");
	xlcfg_free(c);
}

static void test_a_key_set_twice_keeps_the_last_value_and_plus_equals_appends(void **state)
{
	struct xlcfg *c = parse_ok("memory = 8\nmemory = 16\nvif = ['a']\nvif += ['b', 'c']\n"
				   "disk += ['d']\nvif += []\n");

	assert_int_equal(c->nr_settings, 3);
	assert_string_equal(get(c, "memory")->value.text, "16");
	assert_int_equal(get(c, "vif")->nr_items, 3);
	assert_string_equal(get(c, "vif")->items[2].text, "c");
	assert_int_equal(get(c, "disk")->nr_items, 1);
	xlcfg_free(c);
}

static void test_an_empty_file_has_no_settings(void **state)
{
	struct xlcfg *c = parse_ok("");

	assert_int_equal(c->nr_settings, 0);
	assert_null(xlcfg_find(c, "name"));
	xlcfg_free(c);
}

static void test_malformed_files_say_line_and_column(void **state)
{
	assert_string_equal(parse_err("name = \"web\nmemory = 8\n"),
			    "t.cfg:1:8: string not closed on its line");
	assert_string_equal(parse_err("memory 8\n"), "t.cfg:1:8: expected '=' after memory");
	assert_string_equal(parse_err("a = 1\nvif = [ 'x'\n"), "t.cfg:2:7: list not closed with ']'");
	assert_string_equal(parse_err("memory = 12ab\n"), "t.cfg:1:12: 'a' inside a number");
	assert_string_equal(parse_err("name = web\n"),
			    "t.cfg:1:8: a string needs quotes (\"...\" or '...')");
	assert_string_equal(parse_err("name = 'a' 'b'\n"),
			    "t.cfg:1:12: expected the end of the line or ';' after the value of name");
	assert_string_equal(parse_err("vif = [ 'a' 'b' ]\n"),
			    "t.cfg:1:13: expected ',' or ']' in a list");
	assert_string_equal(parse_err("vif = [ ['a'] ]\n"), "t.cfg:1:9: a list inside a list");
	assert_string_equal(parse_err("name =\n"), "t.cfg:1:7: a value is missing");
	assert_string_equal(parse_err("= 3\n"), "t.cfg:1:1: expected a key, not '='");
	assert_string_equal(parse_err("a = '\\q'\n"), "t.cfg:1:6: unknown escape \\q in a string");
	assert_string_equal(parse_err("a = '\\0'\n"), "t.cfg:1:6: a string may not hold a NUL byte");
	assert_string_equal(parse_err("a = 1\na += ['x']\n"),
			    "t.cfg:2:1: '+=' on a, set at line 1 to a single value");
	assert_string_equal(parse_err("a += 'x'\n"), "t.cfg:1:1: '+=' takes a list");
	assert_string_equal(parse_err("\xff = 1\n"), "t.cfg:1:1: expected a key, not byte 0xff");
}

static void test_a_nul_byte_is_refused_where_it_is(void **state)
{
	char err[256];
	struct xlcfg *c;
	static const char text[] = "name = 'a'\nme\0mory = 1\n";

	assert_int_equal(xlcfg_parse(text, sizeof(text) - 1, "t.cfg", &c, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "t.cfg:2:3: a NUL byte: not a text file");
}

static void test_limits_are_errors_not_crashes(void **state)
{
	size_t n = XLCFG_MAX_STRING + 16;
	char *text = malloc(n + 16), err[256];
	struct xlcfg *c;

	strcpy(text, "a = '");
	memset(text + 5, 'x', n - 5);
	strcpy(text + n, "'\n");
	assert_int_equal(xlcfg_parse(text, strlen(text), "t.cfg", &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.cfg:1:5: string longer than 4096 bytes");
	free(text);

	text = malloc(XLCFG_MAX_FILE + 1);
	memset(text, '\n', XLCFG_MAX_FILE + 1);
	assert_int_equal(xlcfg_parse(text, XLCFG_MAX_FILE + 1, "t.cfg", &c, err, sizeof(err)),
			 -EFBIG);
	free(text);
}

static void test_load_reads_a_file_and_names_a_missing_one(void **state)
{
	char path[] = "/tmp/xlcfg_test_XXXXXX", err[512];
	struct xlcfg *c;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "name = 'f'\n", 11), 11);
	close(fd);
	assert_int_equal(xlcfg_load(path, &c, err, sizeof(err)), 0);
	assert_string_equal(get(c, "name")->value.text, "f");
	xlcfg_free(c);
	unlink(path);
	assert_int_equal(xlcfg_load(path, &c, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "No such file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings_numbers_and_lists_keep_their_kind_and_text),
		cmocka_unit_test(test_comments_blank_lines_and_semicolons_separate_settings),
		cmocka_unit_test(test_escapes_in_both_quotes_give_their_bytes),
		cmocka_unit_test(test_a_list_spans_lines_and_may_end_with_a_comma),
		cmocka_unit_test(test_a_backslash_at_the_end_of_a_line_joins_the_next),
		cmocka_unit_test(test_a_key_set_twice_keeps_the_last_value_and_plus_equals_appends),
		cmocka_unit_test(test_an_empty_file_has_no_settings),
		cmocka_unit_test(test_malformed_files_say_line_and_column),
		cmocka_unit_test(test_a_nul_byte_is_refused_where_it_is),
		cmocka_unit_test(test_limits_are_errors_not_crashes),
		cmocka_unit_test(test_load_reads_a_file_and_names_a_missing_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
