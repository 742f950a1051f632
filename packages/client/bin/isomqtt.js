#!/usr/bin/env node
// The `isomqtt` command. It lives outside dist/ so that npm links it when the package is installed, also in
// this repository, where dist/ does not exist yet at `npm ci` time: npm skips a bin whose file is missing.
import '../dist/cli/main.js'
