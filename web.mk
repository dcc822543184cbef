# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# web.mk - the live page in the binary: npm installs the pinned chart package (web/package-lock.json),
# tools/embed-web.sh compiles the page's files into a C table, and the daemon's link gets that object.
# Include it at the end of the Makefile (it uses OUTPUT, BIN, CC, CFLAGS and msg).
#
# Without npm, or with npm but neither the registry nor its cache, the build stops with the reason:
# a page without its chart is not built.

WEB_PAGE   := web/index.html web/app.js web/style.css
WEB_VENDOR := web/node_modules/uplot/dist/uPlot.iife.min.js web/node_modules/uplot/dist/uPlot.min.css \
	      web/node_modules/uplot/LICENSE
WEB_STAMP  := web/node_modules/.flowtower-npm-ci
WEB_GEN    := .output/web/web_assets.c
WEB_OBJ    := $(OUTPUT)/web/web_assets.o

# URL path = file, as the page links them
WEB_EMBED  := /index.html=web/index.html /app.js=web/app.js /style.css=web/style.css \
	      /uPlot.iife.min.js=web/node_modules/uplot/dist/uPlot.iife.min.js \
	      /uPlot.min.css=web/node_modules/uplot/dist/uPlot.min.css \
	      /uPlot.LICENSE.txt=web/node_modules/uplot/LICENSE

.PHONY: web-assets
web-assets: $(WEB_OBJ)

# npm ci empties node_modules first, so the stamp inside it goes whenever the packages go.
$(WEB_STAMP): web/package.json web/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "web.mk: npm not found: the live page's chart package" \
		"(uplot, pinned in web/package-lock.json) cannot be installed. Install Node.js and npm" \
		"(tools/install-deps.sh) and run make again." >&2; exit 1; }
	$(call msg,NPM,web/node_modules)cd web && npm ci --ignore-scripts --prefer-offline --no-audit --no-fund \
		--loglevel=error || { echo "web.mk: 'npm ci' failed in web/ (no registry and nothing cached?):" \
		"the page would have no chart, so the build stops here." >&2; exit 1; }
	@touch $@

$(WEB_VENDOR): $(WEB_STAMP)

$(WEB_GEN): tools/embed-web.sh $(WEB_PAGE) $(WEB_VENDOR) web.mk
	@mkdir -p $(@D)
	@node --check web/app.js || { echo "web.mk: web/app.js does not parse" >&2; exit 1; }
	$(call msg,EMBED,$@)tools/embed-web.sh $@ $(WEB_EMBED)

$(WEB_OBJ): $(WEB_GEN) user/ctl/web.h
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(CFLAGS) -c $< -o $@

# the daemon refers to web_assets[]; $(BIN)'s link takes all of its prerequisites ($^)
$(BIN): $(WEB_OBJ)

# tests/live/test_web.sh checks the daemon's /metrics with the unit test's exposition checker
check-netns: $(OUTPUT)/tests/test_web
