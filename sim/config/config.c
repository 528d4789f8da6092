// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The sim authors
/*
 * Run configuration: parsing, --set overrides, machine presets, and
 * validation into a struct sim_run_config.  See config.h.
 *
 * Order of evaluation:
 *   1. parse the file;
 *   2. apply --set overrides outside "machine.";
 *   3. resolve "machine": a preset name is replaced by the preset's
 *      object (errors then name the preset file);
 *   4. apply --set overrides under "machine.";
 *   5. --seed;
 *   6. validate every section against its parameter table.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aspace.h"

const char *const sim_config_sections[] = {
	"machine", "cpus", "seed", "workload", "engine", "description", "reclaim", "lock", "locking",
	"kalloc", "kernel", "tree", "aspace", NULL,
};

#define DEFAULT_SEED 1

void
sim_run_config_free(struct sim_run_config *rc)
{
	if (rc == NULL)
		return;
	sim_machine_free(rc->machine);
	if (rc->workload && rc->workload_params) {
		sim_params_free(rc->workload->params, rc->workload_params);
		g_free(rc->workload_params);
	}
	sim_params_free(sim_engine_params, &rc->engine);
	for (int i = 0; i < SIM_SECTION_N; i++) {
		if (rc->choice[i].comp && rc->choice[i].params)
			sim_params_free(rc->choice[i].comp->params, rc->choice[i].params);
		g_free(rc->choice[i].params);
	}
	cJSON_Delete(rc->effective);
	g_free(rc->config_file);
	g_free(rc);
}

/* "line L, column C" of byte offset off in text. */
static void
line_col(const char *text, size_t off, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && text[i]; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/*
 * Read at most SIM_JSON_MAX_BYTES + 1 bytes of file into a new buffer
 * (NUL-terminated).  A plain read loop rather than g_file_get_contents():
 * that one trusts st_size and reads character devices forever.
 */
static char *
read_bounded(const char *file, size_t *len, GError **err)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	int e = 0;
	if (fd < 0)
		e = errno;
	else if (fstat(fd, &st) != 0)
		e = errno;
	else if (S_ISDIR(st.st_mode))
		e = EISDIR;
	if (e == 0 && !S_ISREG(st.st_mode)) {
		/* a FIFO blocks forever, a device never ends: only files */
		sim_set_error(err, SIM_CONFIG_ERROR_IO, "%s: cannot read: not a regular file "
			      "(a %s)", file, S_ISFIFO(st.st_mode) ? "FIFO" :
			      S_ISCHR(st.st_mode) ? "character device" :
			      S_ISBLK(st.st_mode) ? "block device" : S_ISSOCK(st.st_mode) ?
			      "socket" : "special file");
		close(fd);
		return NULL;
	}
	if (e != 0) {
		sim_set_error(err, SIM_CONFIG_ERROR_IO, "%s: cannot read: %s",
			      file, g_strerror(e));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	size_t cap = 1u << 16, n = 0;
	char *buf = g_malloc(cap + 1);
	for (;;) {
		if (n == cap) {
			if (cap > SIM_JSON_MAX_BYTES)
				break;
			cap *= 2;
			buf = g_realloc(buf, cap + 1);
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (e != 0) {
		sim_set_error(err, SIM_CONFIG_ERROR_IO, "%s: cannot read: %s",
			      file, g_strerror(e));
	} else if (n > SIM_JSON_MAX_BYTES) {
		sim_set_error(err, SIM_CONFIG_ERROR_LIMIT,
			      "%s: larger than %u MiB: not a config or results file", file,
			      SIM_JSON_MAX_BYTES >> 20);
	} else {
		buf[n] = '\0';
		*len = n;
		return buf;
	}
	g_free(buf);
	return NULL;
}

/*
 * The dotted path of the first key that appears twice in one object, or
 * NULL.  cJSON keeps both and every lookup returns the first, so
 * {"cpus": 4, "cpus": 64} would silently run 4 CPUs: refuse it instead.
 * Recursion is bounded by cJSON's nesting limit; objects with many keys
 * use a hash set, so a 64 MiB object of distinct keys stays linear.
 */
static char *
duplicate_key(const cJSON *v, const char *path)
{
	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return NULL;
	char *found = NULL;
	GHashTable *seen = NULL;
	int n = 0, i = 0;
	for (const cJSON *c = v->child; c; c = c->next)
		n++;
	if (cJSON_IsObject(v) && n > 16)
		seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (const cJSON *c = v->child; c && !found; c = c->next, i++) {
		char *sub = cJSON_IsObject(v) ? (*path ? g_strconcat(path, ".", c->string, NULL)
						       : g_strdup(c->string))
					      : g_strdup_printf("%s[%d]", path, i);
		if (cJSON_IsObject(v)) {
			gboolean dup = FALSE;
			if (seen)
				dup = !g_hash_table_add(seen, c->string);
			for (const cJSON *d = v->child; !seen && d != c && !dup; d = d->next)
				dup = strcmp(d->string, c->string) == 0;
			if (dup) {
				found = sub;
				break;
			}
		}
		found = duplicate_key(c, sub);
		g_free(sub);
	}
	if (seen)
		g_hash_table_destroy(seen);
	return found;
}

cJSON *
sim_json_parse_text(const char *text, size_t len, const char *name, GError **err)
{
	if (memchr(text, '\0', len) != NULL) {
		sim_set_error(err, SIM_CONFIG_ERROR_PARSE,
			      "%s: not a JSON text (contains a NUL byte)", name);
		return NULL;
	}
	/* cJSON wants the terminating NUL inside the length when it must end
	 * there, so parse a terminated copy rather than trust the caller. */
	char *copy = g_malloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	const char *end = NULL;
	cJSON *doc = cJSON_ParseWithLengthOpts(copy, len + 1, &end, true);
	if (doc == NULL) {
		size_t off = end ? (size_t)(end - copy) : 0;
		unsigned l, c;
		line_col(copy, off, &l, &c);
		sim_set_error(err, SIM_CONFIG_ERROR_PARSE,
			      "%s: line %u, column %u: invalid JSON", name, l, c);
	}
	g_free(copy);
	char *dup = doc ? duplicate_key(doc, "") : NULL;
	if (dup != NULL) {
		sim_set_error(err, SIM_CONFIG_ERROR_PARSE,
			      "%s: %s: duplicate key (JSON objects name each key once)", name, dup);
		g_free(dup);
		cJSON_Delete(doc);
		doc = NULL;
	}
	return doc;
}

cJSON *
sim_json_parse_file(const char *file, GError **err)
{
	size_t len = 0;
	char *text = read_bounded(file, &len, err);
	if (text == NULL)
		return NULL;
	cJSON *doc = sim_json_parse_text(text, len, file, err);
	g_free(text);
	return doc;
}

/* ---- --set ---- */

struct set_item {
	char *path;     /* dotted */
	char *label;    /* "--set path=value" */
	cJSON *value;
};

static void
set_items_free(GPtrArray *items)
{
	for (guint i = 0; i < items->len; i++) {
		struct set_item *it = items->pdata[i];
		g_free(it->path);
		g_free(it->label);
		cJSON_Delete(it->value);
		g_free(it);
	}
	g_ptr_array_free(items, TRUE);
}

/* Deepest --set path: the deepest config key is machine.topology.X.
 * (Without a bound, --set a.a.a...=1 builds a nest that deep.) */
#define SET_MAX_DEPTH 8

static gboolean
path_ok(const char *path)
{
	if (*path == '\0' || *path == '.' || g_str_has_suffix(path, ".") || strstr(path, ".."))
		return FALSE;
	int depth = 1;
	for (const char *p = path; *p; p++)
		depth += *p == '.';
	if (depth > SET_MAX_DEPTH)
		return FALSE;
	for (const char *p = path; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-' && *p != '.')
			return FALSE;
	return TRUE;
}

static GPtrArray *
parse_sets(char **sets, GError **err)
{
	GPtrArray *items = g_ptr_array_new();
	for (char **s = sets; s && *s; s++) {
		const char *eq = strchr(*s, '=');
		if (!g_utf8_validate(*s, -1, NULL)) {
			/* sim_set_error shows the bad bytes as \xNN */
			sim_set_error(err, SIM_CONFIG_ERROR_SET,
				      "--set %s: not UTF-8 text (JSON strings are UTF-8)", *s);
			set_items_free(items);
			return NULL;
		}
		if (eq == NULL || eq == *s) {
			sim_set_error(err, SIM_CONFIG_ERROR_SET,
				      "--set %s: expected PATH=VALUE, e.g. workload.period=400000", *s);
			set_items_free(items);
			return NULL;
		}
		struct set_item *it = g_new0(struct set_item, 1);
		it->path = g_strndup(*s, (gsize)(eq - *s));
		it->label = g_strconcat("--set ", *s, NULL);
		g_ptr_array_add(items, it);
		if (!path_ok(it->path)) {
			sim_set_error(err, SIM_CONFIG_ERROR_SET,
				      "--set %s: \"%s\" is not a dotted path of at most %d keys "
				      "(letters, digits, _ and -)", *s, it->path, SET_MAX_DEPTH);
			set_items_free(items);
			return NULL;
		}
		/* A JSON value if it parses as one, else a string. */
		const char *vend = NULL;
		it->value = cJSON_ParseWithOpts(eq + 1, &vend, true);
		if (it->value == NULL)
			it->value = cJSON_CreateString(eq + 1);
	}
	return items;
}

/* Put value at dotted path under root (creating objects on the way). */
static gboolean
apply_set(cJSON *root, const char *path, const struct set_item *it, GError **err)
{
	char **parts = g_strsplit(path, ".", -1);
	cJSON *obj = root;
	gboolean ok = TRUE;
	for (char **p = parts; p[1]; p++) {
		cJSON *next = cJSON_GetObjectItemCaseSensitive(obj, *p);
		if (next == NULL) {
			next = cJSON_AddObjectToObject(obj, *p);
		} else if (!cJSON_IsObject(next)) {
			sim_set_error(err, SIM_CONFIG_ERROR_SET,
				      "%s: %s: \"%s\" is %s, not an object", it->label, it->path, *p,
				      sim_json_type_name(next));
			ok = FALSE;
			break;
		}
		obj = next;
	}
	if (ok) {
		const char *last = parts[g_strv_length(parts) - 1];
		cJSON *dup = cJSON_Duplicate(it->value, true);
		if (cJSON_GetObjectItemCaseSensitive(obj, last))
			cJSON_ReplaceItemInObjectCaseSensitive(obj, last, dup);
		else
			cJSON_AddItemToObject(obj, last, dup);
	}
	g_strfreev(parts);
	return ok;
}

static gboolean
under_machine(const char *path)
{
	return g_str_has_prefix(path, "machine.");
}

/* ---- sections ---- */

static gboolean
check_top_keys(const cJSON *doc, const struct sim_origin *o, GError **err)
{
	if (!cJSON_IsObject(doc)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, o, NULL,
				"a config is a JSON object, got %s", sim_json_type_name(doc));
		return FALSE;
	}
	return sim_config_check_keys(doc, sim_config_sections, o, err);
}

/* Replace a preset name in doc.machine by the preset's object.
 * *preset_file receives the preset path (NULL for an inline machine). */
static gboolean
resolve_machine(cJSON *doc, const struct sim_origin *o, char **preset_file, GError **err)
{
	*preset_file = NULL;
	cJSON *m = cJSON_GetObjectItemCaseSensitive(doc, "machine");
	if (m == NULL) {
		sim_config_fail(err, SIM_CONFIG_ERROR_MISSING, o, "machine",
				"required key is missing (a preset name such as \"ben\", or an object)");
		return FALSE;
	}
	if (cJSON_IsObject(m))
		return TRUE;
	if (!cJSON_IsString(m)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, o, "machine",
				"expected a preset name or an object, got %s", sim_json_type_name(m));
		return FALSE;
	}
	char *path = sim_machine_find_preset(m->valuestring);
	if (path == NULL) {
		char **names = sim_machine_list_presets();
		char *all = g_strjoinv(", ", names);
		sim_config_fail(err, SIM_CONFIG_ERROR_UNKNOWN_NAME, o, "machine",
				"unknown machine \"%s\" (presets: %s)", m->valuestring, all);
		g_free(all);
		g_strfreev(names);
		return FALSE;
	}
	cJSON *preset = sim_json_parse_file(path, err);
	if (preset == NULL) {
		g_free(path);
		return FALSE;
	}
	/* "machine": "ben" must load a machine named ben: a preset whose
	 * "name" says otherwise would be recorded under that other name. */
	const cJSON *pn = cJSON_IsObject(preset) ? cJSON_GetObjectItemCaseSensitive(preset, "name")
						 : NULL;
	if (cJSON_IsString(pn) && strcmp(pn->valuestring, m->valuestring) != 0) {
		struct sim_origin po = { .file = path, .prefix = "" };
		sim_config_fail(err, SIM_CONFIG_ERROR_INCONSISTENT, &po, "name",
				"\"%s\" differs from the preset's file name \"%s.json\"",
				pn->valuestring, m->valuestring);
		cJSON_Delete(preset);
		g_free(path);
		return FALSE;
	}
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "machine", preset);
	*preset_file = path;
	return TRUE;
}

/* The scalar top-level keys; the sections are loaded by their own tables. */
struct top_keys {
	uint64_t cpus;
	uint64_t seed;
};

static const struct sim_param top_params[] = {
	{ .name = "cpus", .type = SIM_P_UINT, .offset = offsetof(struct top_keys, cpus),
	  .required = true, .umin = 1, .umax = 1u << 20,
	  .doc = "simulated CPUs, at most the machine's hardware threads" },
	SIM_P_U64_ROW(struct top_keys, seed, 0, (UINT64_C(1) << 53) - 1, DEFAULT_SEED,
		      "seed of every random stream (same config + seed = same results)"),
	SIM_P_END,
};

static gboolean
load_workload(struct sim_run_config *rc, const cJSON *doc, const struct sim_origin *top,
	      GError **err)
{
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(doc, "workload");
	struct sim_origin o = { .file = top->file, .prefix = "workload",
				.overrides = top->overrides };
	if (w == NULL) {
		sim_config_fail(err, SIM_CONFIG_ERROR_MISSING, top, "workload",
				"required key is missing (an object with a \"name\")");
		return FALSE;
	}
	if (!cJSON_IsObject(w)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, top, "workload",
				"expected an object, got %s", sim_json_type_name(w));
		return FALSE;
	}
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(w, "name");
	if (!cJSON_IsString(name)) {
		sim_config_fail(err, name ? SIM_CONFIG_ERROR_TYPE : SIM_CONFIG_ERROR_MISSING, &o,
				"name", name ? "expected a string, got %s" : "required key is missing%s",
				name ? sim_json_type_name(name) : "");
		return FALSE;
	}
	rc->workload = sim_workload_find(name->valuestring);
	if (rc->workload == NULL) {
		GString *all = g_string_new(NULL);
		for (const struct sim_workload_ops *const *p = sim_workload_all(); *p; p++)
			g_string_append_printf(all, "%s%s", all->len ? ", " : "", (*p)->name);
		sim_config_fail(err, SIM_CONFIG_ERROR_UNKNOWN_NAME, &o, "name",
				"unknown workload \"%s\" (known: %s)", name->valuestring, all->str);
		g_string_free(all, TRUE);
		return FALSE;
	}
	for (int i = 0; i < SIM_SECTION_N; i++) {
		if ((rc->workload->requires & (1u << i)) && rc->choice[i].comp == NULL) {
			const struct sim_section *sec = &sim_sections[i];
			const struct sim_component *const *first = sec->all();
			sim_config_fail(err, SIM_CONFIG_ERROR_MISSING, &o, "name",
					"workload \"%s\" needs a \"%s\" section, e.g. "
					"\"%s\": {\"%s\": \"%s\"}", rc->workload->name, sec->key,
					sec->key, sec->selector, *first ? (*first)->name : "...");
			return FALSE;
		}
	}
	for (int i = 0; i < SIM_SECTION_N; i++) {
		unsigned bit = 1u << i;
		if (rc->choice[i].comp && !((rc->workload->requires | rc->workload->uses) & bit)) {
			struct sim_origin to = { .file = top->file, .prefix = "",
						 .overrides = top->overrides };
			sim_config_fail(err, SIM_CONFIG_ERROR_INCONSISTENT, &to, sim_sections[i].key,
					"workload \"%s\" does not use a \"%s\" section (it would be "
					"ignored); remove it", rc->workload->name, sim_sections[i].key);
			return FALSE;
		}
	}
	static const char *const skip[] = { "name", NULL };
	rc->workload_params = g_malloc0(rc->workload->params_size);
	if (!sim_params_load(rc->workload->params, rc->workload_params, w, &o, skip, err))
		return FALSE;
	return rc->workload->check == NULL ||
	       rc->workload->check(rc->workload_params, rc, &o, err);
}

/* A component section: {"<selector>": NAME, ...NAME's parameters}. */
static gboolean
load_section(struct sim_run_config *rc, enum sim_section_id id, const cJSON *doc,
	     const struct sim_origin *top, GError **err)
{
	const struct sim_section *sec = &sim_sections[id];
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(doc, sec->key);
	if (o == NULL)
		return TRUE;
	struct sim_origin so = { .file = top->file, .prefix = sec->key,
				 .overrides = top->overrides };
	if (!cJSON_IsObject(o)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, top, sec->key,
				"expected an object with a \"%s\", got %s", sec->selector,
				sim_json_type_name(o));
		return FALSE;
	}
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, sec->selector);
	if (!cJSON_IsString(name)) {
		sim_config_fail(err, name ? SIM_CONFIG_ERROR_TYPE : SIM_CONFIG_ERROR_MISSING, &so,
				sec->selector, name ? "expected a string, got %s" :
				"required key is missing%s", name ? sim_json_type_name(name) : "");
		return FALSE;
	}
	const struct sim_component *comp = sim_component_find(id, name->valuestring);
	if (comp == NULL) {
		GString *all = g_string_new(NULL);
		for (const struct sim_component *const *p = sec->all(); *p; p++)
			g_string_append_printf(all, "%s%s", all->len ? ", " : "", (*p)->name);
		sim_config_fail(err, SIM_CONFIG_ERROR_UNKNOWN_NAME, &so, sec->selector,
				"unknown %s \"%s\" (known: %s)", sec->what, name->valuestring,
				all->len ? all->str : "none yet");
		g_string_free(all, TRUE);
		return FALSE;
	}
	const char *const skip[] = { sec->selector, NULL };
	rc->choice[id].comp = comp;
	rc->choice[id].params = g_malloc0(comp->params_size ? comp->params_size : 1);
	if (!sim_params_load(comp->params, rc->choice[id].params, o, &so, skip, err))
		return FALSE;
	return comp->check == NULL || comp->check(rc->choice[id].params, rc->cpus, &so, err);
}

static cJSON *
build_effective(const struct sim_run_config *rc)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddItemToObject(e, "machine", sim_machine_emit(rc->machine));
	cJSON_AddNumberToObject(e, "cpus", rc->cpus);
	cJSON_AddNumberToObject(e, "seed", (double)rc->seed);
	cJSON *w = cJSON_AddObjectToObject(e, "workload");
	cJSON_AddStringToObject(w, "name", rc->workload->name);
	sim_params_emit(rc->workload->params, rc->workload_params, w);
	sim_params_emit(sim_engine_params, &rc->engine, cJSON_AddObjectToObject(e, "engine"));
	for (int i = 0; i < SIM_SECTION_N; i++) {
		const struct sim_choice *ch = &rc->choice[i];
		if (ch->comp == NULL)
			continue;
		cJSON *o = cJSON_AddObjectToObject(e, sim_sections[i].key);
		cJSON_AddStringToObject(o, sim_sections[i].selector, ch->comp->name);
		sim_params_emit(ch->comp->params, ch->params, o);
	}
	return e;
}

static struct sim_run_config *
validate(cJSON *doc, const char *file, const char *preset_file, GHashTable *ovr,
	 GHashTable *machine_ovr, GError **err)
{
	struct sim_run_config *rc = g_new0(struct sim_run_config, 1);
	rc->config_file = g_strdup(file);
	struct sim_origin top = { .file = file, .prefix = "", .overrides = ovr };
	struct sim_origin mo = preset_file ?
		(struct sim_origin){ .file = preset_file, .prefix = "", .overrides = machine_ovr } :
		(struct sim_origin){ .file = file, .prefix = "machine", .overrides = ovr };
	const cJSON *eng = cJSON_GetObjectItemCaseSensitive(doc, "engine");
	struct sim_origin eo = { .file = file, .prefix = "engine", .overrides = ovr };
	struct top_keys tk;

	rc->machine = sim_machine_load(cJSON_GetObjectItemCaseSensitive(doc, "machine"), &mo, err);
	if (rc->machine == NULL)
		goto fail;
	uint64_t max = sim_machine_max_cpus(rc->machine);
	if (!sim_params_load(top_params, &tk, doc, &top, sim_config_sections, err))
		goto fail;
	if (tk.cpus > max) {
		sim_config_fail(err, SIM_CONFIG_ERROR_RANGE, &top, "cpus",
				"%" G_GUINT64_FORMAT " exceeds the %" G_GUINT64_FORMAT
				" hardware threads of machine \"%s\"", tk.cpus, max, rc->machine->name);
		goto fail;
	}
	rc->cpus = (uint32_t)tk.cpus;
	rc->seed = tk.seed;
	if (!sim_params_load(sim_engine_params, &rc->engine, eng, &eo, NULL, err))
		goto fail;
	for (int i = 0; i < SIM_SECTION_N; i++)
		if (!load_section(rc, (enum sim_section_id)i, doc, &top, err))
			goto fail;
	if (!aspace_config_check(rc, &top, err))
		goto fail;
	if (!load_workload(rc, doc, &top, err))
		goto fail;
	const cJSON *desc = cJSON_GetObjectItemCaseSensitive(doc, "description");
	if (desc && !cJSON_IsString(desc)) {
		sim_config_fail(err, SIM_CONFIG_ERROR_TYPE, &top, "description",
				"expected a string, got %s", sim_json_type_name(desc));
		goto fail;
	}
	rc->effective = build_effective(rc);
	return rc;
fail:
	sim_run_config_free(rc);
	return NULL;
}

struct sim_run_config *
sim_config_from_json(cJSON *doc, const char *file, const struct sim_overrides *ov,
		     GError **err)
{
	struct sim_run_config *rc = NULL;
	char *preset_file = NULL;
	GHashTable *ovr = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	GHashTable *movr = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	GPtrArray *sets = parse_sets(ov ? ov->set : NULL, err);
	struct sim_origin top = { .file = file, .prefix = "", .overrides = ovr };
	if (sets == NULL)
		goto out;
	for (guint i = 0; i < sets->len; i++) {
		struct set_item *it = sets->pdata[i];
		g_hash_table_replace(ovr, g_strdup(it->path), g_strdup(it->label));
		if (under_machine(it->path))
			g_hash_table_replace(movr, g_strdup(it->path + 8), g_strdup(it->label));
	}
	/* Once before the overrides (the file's own typos), once after. */
	if (!check_top_keys(doc, &top, err))
		goto out;
	for (guint i = 0; i < sets->len; i++) {
		struct set_item *it = sets->pdata[i];
		if (!under_machine(it->path) && !apply_set(doc, it->path, it, err))
			goto out;
	}
	if (!check_top_keys(doc, &top, err) || !resolve_machine(doc, &top, &preset_file, err))
		goto out;
	for (guint i = 0; i < sets->len; i++) {
		struct set_item *it = sets->pdata[i];
		if (under_machine(it->path) &&
		    !apply_set(cJSON_GetObjectItemCaseSensitive(doc, "machine"), it->path + 8, it, err))
			goto out;
	}
	if (ov && ov->has_seed) {
		cJSON *seed = cJSON_CreateNumber((double)ov->seed);
		if (cJSON_GetObjectItemCaseSensitive(doc, "seed"))
			cJSON_ReplaceItemInObjectCaseSensitive(doc, "seed", seed);
		else
			cJSON_AddItemToObject(doc, "seed", seed);
	}
	rc = validate(doc, file, preset_file, ovr, movr, err);
out:
	if (sets)
		set_items_free(sets);
	g_hash_table_destroy(ovr);
	g_hash_table_destroy(movr);
	g_free(preset_file);
	cJSON_Delete(doc);
	return rc;
}

struct sim_run_config *
sim_config_load(const char *file, const struct sim_overrides *ov, GError **err)
{
	cJSON *doc = sim_json_parse_file(file, err);
	if (doc == NULL)
		return NULL;
	return sim_config_from_json(doc, file, ov, err);
}
